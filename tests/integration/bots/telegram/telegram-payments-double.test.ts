import { Api, GrammyError } from 'grammy'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TelegramApiDouble } from '../../../doubles/telegram-double.js'

let double: TelegramApiDouble
let api: Api
beforeEach(async () => {
  double = await TelegramApiDouble.start()
  api = new Api(double.token, { apiRoot: double.apiRoot })
})
afterEach(async () => {
  await double.close()
})

/** The description of the Bot API error a call fails with. */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call
  } catch (err) {
    if (err instanceof GrammyError) return err.description
    throw err
  }
  throw new Error('the call succeeded')
}

const price = (amount: number) => [{ label: 'Premium', amount }]
const SUBSCRIPTION = { subscription_period: 2_592_000 }

describe('Telegram double: Stars payment methods (real grammY client)', () => {
  it('creates subscription invoice links only with the parameters Telegram accepts', async () => {
    const url = await api.createInvoiceLink(
      'Premium',
      'desc',
      'p1',
      '',
      'XTR',
      price(250),
      SUBSCRIPTION,
    )
    expect(url).toMatch(/^https:\/\/t\.me\/\$inv\d+$/)
    expect(double.payments.invoiceOf(url)).toMatchObject({
      payload: 'p1',
      amount: 250,
      subscriptionPeriod: 2_592_000,
    })
    expect(
      await failure(api.createInvoiceLink('Premium', 'desc', 'p', 'tok', 'XTR', price(250))),
    ).toMatch(/PROVIDER_TOKEN_INVALID/)
    expect(
      await failure(
        api.createInvoiceLink('Premium', 'desc', 'p', '', 'XTR', [...price(1), ...price(2)]),
      ),
    ).toMatch(/exactly one price/)
    expect(
      await failure(
        api.createInvoiceLink('Premium', 'desc', 'p', '', 'XTR', price(250), {
          subscription_period: 86_400,
        }),
      ),
    ).toBe('Bad Request: SUBSCRIPTION_PERIOD_INVALID')
    expect(
      await failure(
        api.createInvoiceLink('Premium', 'desc', 'p', '', 'XTR', price(10_001), SUBSCRIPTION),
      ),
    ).toBe('Bad Request: SUBSCRIPTION_PRICE_INVALID')
    expect(
      await failure(
        api.createInvoiceLink('Premium', 'desc', 'p', 'tok', 'USD', price(999), SUBSCRIPTION),
      ),
    ).toMatch(/must be paid in Telegram Stars/)
    expect(
      await failure(api.createInvoiceLink('Premium', 'desc', 'x'.repeat(129), '', 'XTR', price(1))),
    ).toBe('Bad Request: INVOICE_PAYLOAD_INVALID')
    expect(
      await failure(api.createInvoiceLink('T'.repeat(33), 'desc', 'p', '', 'XTR', price(1))),
    ).toBe('Bad Request: INVOICE_TITLE_INVALID')
  })

  it('sends invoice messages in Stars', async () => {
    const message = await api.sendInvoice(77, 'Premium', 'desc', 'p2', 'XTR', price(100))
    expect(message.invoice).toMatchObject({ currency: 'XTR', total_amount: 100 })
    expect(
      await failure(
        api.sendInvoice(77, 'Premium', 'desc', 'p2', 'XTR', [...price(1), ...price(1)]),
      ),
    ).toMatch(/exactly one price/)
  })

  it('takes one answer per pre-checkout query, with an error message when refusing', async () => {
    const url = await api.createInvoiceLink(
      'Premium',
      'desc',
      'p3',
      '',
      'XTR',
      price(5),
      SUBSCRIPTION,
    )
    const invoice = double.payments.invoiceOf(url)
    const id = double.payments.injectPreCheckout({ userId: 9, invoice })
    const [update] = (await api.getUpdates()) as unknown as {
      pre_checkout_query?: {
        id: string
        currency: string
        total_amount: number
        invoice_payload: string
      }
    }[]
    expect(update?.pre_checkout_query).toMatchObject({
      id,
      currency: 'XTR',
      total_amount: 5,
      invoice_payload: 'p3',
    })
    expect(await failure(api.answerPreCheckoutQuery(id, false))).toBe(
      'Bad Request: ERROR_MESSAGE_EMPTY',
    )
    const second = double.payments.injectPreCheckout({ userId: 9, invoice })
    expect(await api.answerPreCheckoutQuery(second, false, { error_message: 'no' })).toBe(true)
    expect(double.payments.answers.get(second)).toMatchObject({ ok: false, errorMessage: 'no' })
    expect(await failure(api.answerPreCheckoutQuery(second, true))).toBe(
      'Bad Request: QUERY_ID_INVALID',
    )
  })

  it('edits subscriptions and refunds payments of the right user only, once', async () => {
    const url = await api.createInvoiceLink(
      'Premium',
      'desc',
      'p4',
      '',
      'XTR',
      price(5),
      SUBSCRIPTION,
    )
    const invoice = double.payments.invoiceOf(url)
    const { chargeId, update } = double.payments.injectSuccessfulPayment({ userId: 9, invoice })
    expect((update.message as { successful_payment: unknown }).successful_payment).toMatchObject({
      currency: 'XTR',
      total_amount: 5,
      invoice_payload: 'p4',
      telegram_payment_charge_id: chargeId,
      is_recurring: true,
      is_first_recurring: true,
      subscription_expiration_date: expect.any(Number),
    })
    expect(await failure(api.editUserStarSubscription(10, chargeId, true))).toBe(
      'Bad Request: SUBSCRIPTION_ID_INVALID',
    )
    expect(await api.editUserStarSubscription(9, chargeId, true)).toBe(true)
    expect(double.payments.renew(chargeId)).toBeNull()
    expect(await api.editUserStarSubscription(9, chargeId, false)).toBe(true)
    const renewal = double.payments.renew(chargeId)
    expect(renewal).not.toBeNull()

    expect(await failure(api.refundStarPayment(10, chargeId))).toBe('Bad Request: CHARGE_NOT_FOUND')
    expect(await api.refundStarPayment(9, renewal ?? '')).toBe(true)
    expect(await failure(api.refundStarPayment(9, renewal ?? ''))).toBe(
      'Bad Request: CHARGE_ALREADY_REFUNDED',
    )
  })
})
