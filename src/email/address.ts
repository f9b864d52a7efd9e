import { domainToASCII } from 'node:url'

/** RFC 5321 limits: 254 characters in a path, 64 in the local part, 63 per domain label. */
const MAX_ADDRESS = 254
const MAX_LOCAL = 64
const MAX_LABEL = 63

// Dot-atom local part (no quoted strings, no comments): what real mailboxes use.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/

/**
 * Checks an address a person typed and returns it normalized (trimmed, lower-cased, the
 * domain in ASCII), or undefined when it is not a plain `local@domain.tld` address. Anything
 * that could break a header (CR, LF, other control characters, `<`, `>`, `,`, quotes, spaces)
 * is rejected, as are IP-literal domains and addresses over the RFC 5321 lengths.
 */
export function normalizeEmailAddress(input: string): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_ADDRESS * 2) return undefined
  const trimmed = input.trim()
  if (trimmed.length === 0 || trimmed.length > MAX_ADDRESS) return undefined
  // Control characters (incl. CR/LF/TAB/NUL) never belong in an address.
  if (/[\p{Cc}\u2028\u2029]/u.test(trimmed)) return undefined
  const at = trimmed.lastIndexOf('@')
  if (at <= 0 || at !== trimmed.indexOf('@')) return undefined
  const local = trimmed.slice(0, at)
  const rawDomain = trimmed.slice(at + 1)
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local)) return undefined
  if (rawDomain.length === 0 || rawDomain.startsWith('[')) return undefined
  const domain = domainToASCII(rawDomain.toLowerCase())
  if (!domain || domain.length > 253) return undefined
  const labels = domain.split('.')
  if (labels.length < 2) return undefined
  if (!labels.every((l) => l.length <= MAX_LABEL && LABEL.test(l))) return undefined
  if (!TLD.test(labels[labels.length - 1] ?? '')) return undefined
  const address = `${local.toLowerCase()}@${domain}`
  return address.length <= MAX_ADDRESS ? address : undefined
}

/** A sender or recipient as nodemailer's address object (name encoded by nodemailer). */
export interface Mailbox {
  readonly name: string
  readonly address: string
}

/**
 * Parses `Name <address>` or a bare address (as `SMTP_FROM` / `ADMIN_EMAIL` are written).
 * Returns undefined when the address is invalid or the name holds CR/LF or other control
 * characters, so a configured value can never inject a header.
 */
export function parseMailbox(input: string): Mailbox | undefined {
  const trimmed = input.trim()
  if (/\p{Cc}/u.test(trimmed)) return undefined
  const m = /^(.*)<([^<>]+)>$/.exec(trimmed)
  const rawName = m ? (m[1] ?? '').trim().replace(/^"(.*)"$/, '$1') : ''
  const address = normalizeEmailAddress(m ? (m[2] ?? '') : trimmed)
  if (!address || rawName.length > 100 || /[<>]/.test(rawName)) return undefined
  return { name: rawName, address }
}
