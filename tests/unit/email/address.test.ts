import { describe, expect, it } from 'vitest'
import { normalizeEmailAddress, parseMailbox } from '../../../src/email/address.js'

describe('normalizeEmailAddress', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['  Ada.Lovelace+bots@Example.CO.uk ', 'ada.lovelace+bots@example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['user@bücher.de', 'user@xn--bcher-kva.de'],
    ['x@sub-domain.example.xn--p1ai', 'x@sub-domain.example.xn--p1ai'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeEmailAddress(input)).toBe(expected)
  })

  it.each([
    ['CR/LF header injection', 'a@example.com\r\nBcc: b@example.com'],
    ['bare LF', 'a@example.com\nX: y'],
    ['NUL', 'a@example.com\u0000'],
    ['line separator', 'a@exam\u2028ple.com'],
    ['display-name form', 'Ada <a@example.com>'],
    ['two addresses', 'a@example.com,b@example.com'],
    ['two at signs', 'a@b@example.com'],
    ['quoted local part', '"a b"@example.com'],
    ['space', 'a b@example.com'],
    ['leading dot', '.a@example.com'],
    ['double dot', 'a..b@example.com'],
    ['no domain dot', 'a@localhost'],
    ['IP literal', 'a@[10.0.0.1]'],
    ['numeric TLD', 'a@example.123'],
    ['hyphen label edge', 'a@-example.com'],
    ['local part over 64', `${'a'.repeat(65)}@example.com`],
    ['label over 63', `a@${'b'.repeat(64)}.com`],
    [
      'address over 254',
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(20)}.com`,
    ],
    ['empty', ''],
    ['no local part', '@example.com'],
  ])('rejects %s', (_why, input) => {
    expect(normalizeEmailAddress(input)).toBeUndefined()
  })
})

describe('parseMailbox', () => {
  it('reads a display name and an address', () => {
    expect(parseMailbox('JustLayMe <Bot@Example.com>')).toEqual({
      name: 'JustLayMe',
      address: 'bot@example.com',
    })
    expect(parseMailbox('"Just Lay Me" <bot@example.com>')).toEqual({
      name: 'Just Lay Me',
      address: 'bot@example.com',
    })
    expect(parseMailbox('ops@example.com')).toEqual({ name: '', address: 'ops@example.com' })
  })

  it('rejects names or addresses that could add headers', () => {
    expect(parseMailbox('Bot\r\nBcc: x@example.org <bot@example.com>')).toBeUndefined()
    expect(parseMailbox('Bot <bot@example.com>\nBcc: x@example.org')).toBeUndefined()
    expect(parseMailbox('Bot <bot@example.com\r\n>')).toBeUndefined()
    expect(parseMailbox('A <b> <bot@example.com>')).toBeUndefined()
  })
})
