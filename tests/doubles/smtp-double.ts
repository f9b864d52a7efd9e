import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** One message the double accepted, parsed with mailparser. */
export interface ReceivedMail {
  /** Envelope sender and recipients, as the client sent them in MAIL FROM / RCPT TO. */
  readonly envelopeFrom: string
  readonly envelopeTo: readonly string[]
  readonly from: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  readonly messageId: string | undefined
  readonly headers: ReadonlyMap<string, unknown>
  /** The raw message source. */
  readonly raw: string
  /** Whether the message arrived over TLS (after STARTTLS). */
  readonly secure: boolean
}

export interface SmtpDouble {
  readonly host: '127.0.0.1'
  /** Stays the same across `down()` / `up()`. */
  readonly port: number
  /**
   * Ready for nodemailer: STARTTLS required, the double's self-signed certificate accepted
   * (`?requireTLS=true&tls.rejectUnauthorized=false`); `?ignoreTLS=true` when plaintext.
   */
  readonly url: string
  /** Every accepted message, in order. */
  readonly messages: ReceivedMail[]
  /** Answers RCPT TO for `address` with `code` (5xx permanent, 4xx temporary) until cleared. */
  rejectRecipient(address: string, code?: number): void
  clearRejections(): void
  /** Stops listening and drops open connections (the port refuses connections). */
  down(): Promise<void>
  /** Listens again on the same port. */
  up(): Promise<void>
  readonly isUp: boolean
  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
  close(): Promise<void>
}

/** What a real server answers to MAIL FROM before STARTTLS when it requires TLS. */
export const STARTTLS_REQUIRED = 530

/**
 * A real SMTP server (`smtp-server`) on loopback that records every message through
 * `mailparser`. Like real mail servers it requires STARTTLS (with smtp-server's bundled
 * self-signed certificate) before MAIL FROM, and AUTH only over TLS when `auth` is given;
 * `plaintext` turns TLS off for the few tests that need a bare server.
 */
export async function startSmtpDouble(
  options: {
    /** Require AUTH PLAIN/LOGIN with these credentials (others get 535). */
    readonly auth?: { readonly user: string; readonly pass: string }
    /** No STARTTLS: the old bare server (nodemailer then needs `ignoreTLS`). */
    readonly plaintext?: boolean
  } = {},
): Promise<SmtpDouble> {
  const auth = options.auth
  const plaintext = options.plaintext === true
  const messages: ReceivedMail[] = []
  const rejections = new Map<string, number>()
  const waiters = new Set<() => void>()
  let server: SMTPServer | undefined
  let port = 0

  const notify = () => {
    for (const w of [...waiters]) w()
  }

  const create = () =>
    new SMTPServer({
      authOptional: auth === undefined,
      allowInsecureAuth: plaintext,
      disabledCommands: [
        ...(auth === undefined ? ['AUTH'] : []),
        ...(plaintext ? ['STARTTLS'] : []),
      ],
      onMailFrom(_address, session, callback) {
        if (plaintext || session.secure) return callback()
        const err = Object.assign(new Error('Must issue a STARTTLS command first'), {
          responseCode: STARTTLS_REQUIRED,
        })
        return callback(err)
      },
      onAuth(credentials, _session, callback) {
        if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
          return callback(null, { user: auth.user })
        }
        return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }))
      },
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 50,
      onRcptTo(address, _session, callback) {
        const code = rejections.get(address.address.toLowerCase())
        if (code === undefined) return callback()
        const err = Object.assign(new Error(`Recipient ${address.address} rejected`), {
          responseCode: code,
        })
        return callback(err)
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks)
          simpleParser(raw).then(
            (mail) => {
              const to = Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : mail.to
              messages.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                from: mail.from?.text ?? '',
                to: typeof to === 'string' ? to : (to?.text ?? ''),
                subject: mail.subject ?? '',
                text: mail.text ?? '',
                html: typeof mail.html === 'string' ? mail.html : '',
                messageId: mail.messageId,
                headers: mail.headers,
                raw: raw.toString('utf8'),
                secure: session.secure,
              })
              callback()
              notify()
            },
            (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
          )
        })
      },
    })

  const listen = async () => {
    const s = create()
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject)
        resolve()
      })
    })
    port = (s.server.address() as AddressInfo).port
    server = s
  }

  const stop = async () => {
    const s = server
    server = undefined
    if (!s) return
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  await listen()

  return {
    host: '127.0.0.1',
    port,
    url: plaintext
      ? `smtp://127.0.0.1:${port}?ignoreTLS=true`
      : `smtp://127.0.0.1:${port}?requireTLS=true&tls.rejectUnauthorized=false`,
    messages,
    rejectRecipient(address, code = 550) {
      rejections.set(address.toLowerCase(), code)
    },
    clearRejections() {
      rejections.clear()
    },
    down: stop,
    up: async () => {
      if (!server) await listen()
    },
    get isUp() {
      return server !== undefined
    },
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise<ReceivedMail[]>((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(messages)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`expected ${count} messages, got ${messages.length}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: stop,
  }
}
