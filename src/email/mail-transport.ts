import nodemailer from 'nodemailer'
import type { Mailbox } from './address.js'

/** One message as the outbox worker hands it to the transport. */
export interface OutgoingMail {
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  /** Stable id, so a receiver can tell a re-delivery (after a crash before `markSent`) apart. */
  readonly messageId: string
}

/** Sends mail over SMTP. `send` throws the transport's error; {@link classifySendError} reads it. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>
  /** Connects (and authenticates); throws when the server cannot be used. */
  verify(): Promise<void>
  close(): void
}

export interface SmtpTransportOptions {
  /** `SMTP_URL`, e.g. `smtp://user:pass@host:587`; query options (`?ignoreTLS=true`) pass to nodemailer. */
  readonly smtpUrl: string
  readonly from: Mailbox
  readonly connectionTimeoutMs?: number
  readonly socketTimeoutMs?: number
}

/** A pooled nodemailer transport. Recipients go as address objects, never as raw header text. */
export class SmtpTransport implements MailTransport {
  readonly #transporter: ReturnType<typeof nodemailer.createTransport>
  readonly #from: Mailbox

  constructor(options: SmtpTransportOptions) {
    this.#from = options.from
    this.#transporter = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: 2,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.connectionTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    })
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.#transporter.sendMail({
      from: { name: this.#from.name, address: this.#from.address },
      to: { name: '', address: mail.to },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    })
  }

  async verify(): Promise<void> {
    await this.#transporter.verify()
  }

  close(): void {
    this.#transporter.close()
  }
}

export interface SendFailure {
  /** `transient`: retry later (nothing is lost); `permanent`: the server refused this message. */
  readonly kind: 'transient' | 'permanent'
  /** True when the server could not be used at all (down, timeout, TLS, login), not this message. */
  readonly connection: boolean
  /** Short, loggable reason: error code and SMTP reply code, never addresses or content. */
  readonly reason: string
  /** Longer text for the outbox row (may contain the server's reply). */
  readonly detail: string
}

// The server could not be used at all: the message itself is fine.
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'EAUTH',
  'ENOAUTH',
  'ECONFIG',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
])

/**
 * Sorts a send error: SMTP 4xx replies, connection failures, timeouts and authentication or
 * configuration problems are transient; 5xx replies to the message (and malformed envelopes)
 * are permanent. Unknown errors count as transient, so nothing is dropped by mistake.
 * Never throws.
 */
export function classifySendError(err: unknown): SendFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown
    responseCode?: unknown
    message?: unknown
    response?: unknown
  }
  const code = typeof e.code === 'string' ? e.code : undefined
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined
  const message = typeof e.message === 'string' ? e.message : String(err)
  const reason = [code, responseCode].filter((x) => x !== undefined).join(' ') || 'error'
  const detail =
    `${reason}: ${message}${typeof e.response === 'string' ? ` (${e.response})` : ''}`.slice(0, 500)
  const connection = code !== undefined && CONNECTION_CODES.has(code)
  // A refused login (535) is our configuration, not the message: keep it for when it is fixed.
  if (connection) return { kind: 'transient', connection, reason, detail }
  if (responseCode !== undefined && responseCode >= 500) {
    return { kind: 'permanent', connection, reason, detail }
  }
  if (responseCode !== undefined && responseCode >= 400) {
    return { kind: 'transient', connection, reason, detail }
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') {
    return { kind: 'permanent', connection, reason, detail }
  }
  return { kind: 'transient', connection, reason, detail }
}
