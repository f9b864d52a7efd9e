import type { CoreCommand } from './types.js'

export const billingCommand: CoreCommand = {
  name: 'billing',
  description: 'Manage or cancel your subscription',
  requires: 'billing',
  slow: true,
  async run(ctx) {
    const billing = ctx.services.billing
    if (!billing) return
    const url = await billing.billingLink(ctx.caller.account.id, ctx.now)
    if (!url) {
      await ctx.reply({
        text: "You don't have a subscription yet. Run /subscribe to get one.",
        ephemeral: true,
      })
      return
    }
    await ctx.reply({
      text: 'Manage your payment method, invoices or cancel here:',
      ephemeral: true,
      personal: true,
      links: [{ label: 'Billing', url }],
    })
  },
}
