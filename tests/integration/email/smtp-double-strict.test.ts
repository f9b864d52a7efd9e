import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SmtpDouble, STARTTLS_REQUIRED, startSmtpDouble } from '../../doubles/smtp-double.js'

/**
 * The SMTP double requires STARTTLS as real mail servers do: a client that skips it is refused
 * at MAIL FROM, and the mail our URL sends arrives over TLS (self-signed certificate accepted).
 */

let smtp: SmtpDouble

beforeAll(async () => {
  smtp = await startSmtpDouble()
})

afterAll(async () => {
  await smtp?.close()
})

const mail = { from: 'bot@justlay.me', to: 'reader@example.com', subject: 'hi', text: 'hello' }

describe('SMTP double strictness', () => {
  it('refuses a client that does not upgrade with STARTTLS', async () => {
    const plain = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      ignoreTLS: true,
    })
    await expect(plain.sendMail(mail)).rejects.toMatchObject({ responseCode: STARTTLS_REQUIRED })
    plain.close()
  })

  it('accepts the same mail over STARTTLS with its self-signed certificate', async () => {
    const before = smtp.messages.length
    const secure = nodemailer.createTransport(smtp.url)
    await secure.sendMail(mail)
    secure.close()
    expect(smtp.messages.slice(before)).toMatchObject([{ subject: 'hi', secure: true }])
  })

  it('refuses the certificate when the client checks it, as a real client would', async () => {
    const strict = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      requireTLS: true,
    })
    await expect(strict.sendMail(mail)).rejects.toThrow(/certificate/i)
    strict.close()
  })
})
