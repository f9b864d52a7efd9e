import { describe, expect, it } from 'vitest'
import { classifySendError } from '../../../src/email/mail-transport.js'

const smtpError = (code: string, responseCode?: number) =>
  Object.assign(new Error('smtp failed'), { code, responseCode, response: `${responseCode} nope` })

describe('classifySendError', () => {
  it('treats 5xx replies to the message as permanent', () => {
    expect(classifySendError(smtpError('EENVELOPE', 550))).toMatchObject({
      kind: 'permanent',
      connection: false,
      reason: 'EENVELOPE 550',
    })
    expect(classifySendError(smtpError('EMESSAGE', 554)).kind).toBe('permanent')
  })

  it('treats 4xx replies as transient', () => {
    expect(classifySendError(smtpError('EENVELOPE', 451))).toMatchObject({
      kind: 'transient',
      connection: false,
    })
  })

  it('treats an unreachable server, timeouts and refused logins as transient connection problems', () => {
    for (const err of [
      smtpError('ECONNECTION'),
      smtpError('ETIMEDOUT'),
      smtpError('ESOCKET'),
      smtpError('EAUTH', 535),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED' }),
    ]) {
      expect(classifySendError(err)).toMatchObject({ kind: 'transient', connection: true })
    }
  })

  it('keeps unknown failures for a retry instead of dropping them', () => {
    expect(classifySendError(new Error('???')).kind).toBe('transient')
    expect(classifySendError('a string').kind).toBe('transient')
  })

  it('keeps the reason short and free of the message', () => {
    const failure = classifySendError(smtpError('EENVELOPE', 550))
    expect(failure.reason).not.toContain('nope')
    expect(failure.detail).toContain('550 nope')
  })
})
