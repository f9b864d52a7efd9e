import type { CommandReply } from '../src/core/command.js'
import type { CoreCommand, CoreCommandContext } from './types.js'

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const PITCH = 'Premium gives you many more messages a day, a larger memory and premium personas.'

/** Where premium comes from, for people. */
export function sourcesText(sources: readonly string[] | undefined): string {
  const names = (sources ?? []).map((s) =>
    s === 'stars' ? 'Telegram Stars' : s === 'stripe' ? 'card (Stripe)' : 'complimentary',
  )
  return names.join(' + ')
}

async function alreadyPremium(ctx: CoreCommandContext): Promise<CommandReply | null> {
  const { entitlement } = await ctx.services.account.status(ctx.caller)
  if (entitlement.tier !== 'premium' || entitlement.source === 'grant') return null
  const until = entitlement.until ? ` until ${day(entitlement.until)}` : ''
  const via = sourcesText(entitlement.sources)
  return {
    text: `You already have premium${until}${via ? ` (${via})` : ''}. Run /billing to manage it.`,
    ephemeral: true,
  }
}

export const subscribeCommand: CoreCommand = {
  name: 'subscribe',
  description: 'Get premium: more messages, bigger memory, premium personas',
  requires: 'billing',
  slow: true,
  async run(ctx) {
    const { billing, stars } = ctx.services
    const already = await alreadyPremium(ctx)
    if (already) {
      await ctx.reply(already)
      return
    }
    const onTelegram = ctx.caller.platform === 'telegram'
    // Telegram's rules: digital goods in Telegram are paid in Stars unless the operator chose otherwise.
    const offerStars = onTelegram && stars !== undefined && stars.mode !== 'stripe'
    const offerStripe = billing !== undefined && (!onTelegram || !stars || stars.mode !== 'stars')
    const links: { label: string; url: string }[] = []
    if (offerStars) {
      links.push({
        label: `Subscribe for ${stars.price} ⭐ / 30 days`,
        url: await stars.invoiceLink(ctx.caller.account.id, ctx.now),
      })
    }
    if (offerStripe) {
      links.push({
        label: offerStars ? 'Pay by card instead' : 'Subscribe',
        url: await billing.subscribeLink(ctx.caller.account.id, ctx.now),
      })
    }
    if (links.length === 0) {
      await ctx.reply({
        text: `${PITCH}\nPremium is sold in Telegram with Telegram Stars: open me in Telegram and run /subscribe there.`,
        ephemeral: true,
      })
      return
    }
    const renews = offerStars ? ' It renews every 30 days until you cancel it with /billing.' : ''
    await ctx.reply({ text: `${PITCH}${renews}`, ephemeral: true, personal: true, links })
  },
}
