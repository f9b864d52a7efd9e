import type { CoreCommand } from './types.js'

export const subscribeCommand: CoreCommand = {
  name: 'subscribe',
  description: 'Get premium: more messages, bigger memory, premium personas',
  requires: 'billing',
  slow: true,
  async run(ctx) {
    const billing = ctx.services.billing
    if (!billing) return
    const url = await billing.subscribeLink(ctx.caller.account.id, ctx.now)
    await ctx.reply({
      text: 'Premium gives you many more messages a day, a larger memory and premium personas.',
      ephemeral: true,
      personal: true,
      links: [{ label: 'Subscribe', url }],
    })
  },
}
