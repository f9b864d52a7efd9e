import type { CommandReply } from '../src/core/command.js'
import type { StarsSubscriptionView } from '../src/core/ports/services.js'
import type { CoreCommand, CoreCommandContext } from './types.js'

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

function starsText(view: StarsSubscriptionView): string {
  if (!view.active) return `Telegram Stars subscription: ended on ${day(view.until)}.`
  return view.renewing
    ? `Telegram Stars subscription: active, renews on ${day(view.until)} for ${view.price} Stars.`
    : `Telegram Stars subscription: renewal is off; premium ends on ${day(view.until)}.`
}

function starsActions(view: StarsSubscriptionView): CommandReply['actions'] {
  if (!view.active) return []
  return view.renewing
    ? [{ label: 'Cancel renewal', command: 'billing', args: { action: 'cancel' } }]
    : [{ label: 'Turn renewal back on', command: 'billing', args: { action: 'resume' } }]
}

async function changeRenewal(ctx: CoreCommandContext, renew: boolean): Promise<CommandReply> {
  const stars = ctx.services.stars
  if (!stars) return { text: 'Telegram Stars subscriptions are not enabled here.', ephemeral: true }
  const result = await stars.setRenewal(ctx.caller.account.id, renew, ctx.now)
  if (result.status === 'none') {
    return { text: 'You have no active Telegram Stars subscription.', ephemeral: true }
  }
  if (result.status === 'failed') {
    ctx.log.warn({ reason: result.reason }, 'stars renewal change refused')
    return {
      text: 'Telegram did not accept the change right now. Please try again in a minute, or use /paysupport.',
      ephemeral: true,
    }
  }
  const lead = renew
    ? `Renewal is back on: premium renews on ${day(result.view.until)}.`
    : `Renewal canceled: premium stays on until ${day(result.view.until)} and then ends.`
  return { text: lead, ephemeral: true, personal: true, actions: starsActions(result.view) }
}

export const billingCommand: CoreCommand = {
  name: 'billing',
  description: 'Manage or cancel your subscription',
  requires: 'billing',
  slow: true,
  options: [
    {
      name: 'action',
      description: 'Telegram Stars renewal',
      type: 'string',
      choices: [
        { name: 'cancel renewal', value: 'cancel' },
        { name: 'turn renewal back on', value: 'resume' },
      ],
    },
  ],
  async run(ctx) {
    const action = ctx.args.action?.toLowerCase()
    if (action === 'cancel' || action === 'resume') {
      await ctx.reply(await changeRenewal(ctx, action === 'resume'))
      return
    }
    if (action !== undefined) {
      await ctx.reply({ text: 'Usage: /billing [cancel|resume]', ephemeral: true })
      return
    }
    const { billing, stars } = ctx.services
    const lines: string[] = []
    const links: { label: string; url: string }[] = []
    let actions: CommandReply['actions'] = []
    const view = stars ? await stars.subscription(ctx.caller.account.id, ctx.now) : null
    if (view) {
      lines.push(starsText(view))
      actions = starsActions(view)
    }
    const url = billing ? await billing.billingLink(ctx.caller.account.id, ctx.now) : null
    if (url) {
      lines.push('Card subscription (Stripe): manage your payment method, invoices or cancel here.')
      links.push({ label: 'Billing', url })
    }
    if (lines.length === 0) {
      await ctx.reply({
        text: "You don't have a subscription yet. Run /subscribe to get one.",
        ephemeral: true,
      })
      return
    }
    await ctx.reply({ text: lines.join('\n'), ephemeral: true, personal: true, links, actions })
  },
}
