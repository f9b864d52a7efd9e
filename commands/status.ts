import { sourcesText } from './subscribe.js'
import type { CoreCommand } from './types.js'

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export const statusCommand: CoreCommand = {
  name: 'status',
  description: 'Your plan, messages left today, persona, model and email',
  async run(ctx) {
    const s = await ctx.services.account.status(ctx.caller)
    const model = await ctx.services.models.current(ctx.caller)
    const plan = s.isAdmin
      ? 'admin (unlimited)'
      : s.tier === 'premium'
        ? `premium${s.entitlement.until ? ` until ${day(s.entitlement.until)}` : ''} (${sourcesText(s.entitlement.sources) || (s.entitlement.source === 'grant' ? 'complimentary' : 'subscription')})`
        : 'free'
    const left =
      s.dailyLimit === null
        ? 'unlimited'
        : `${Math.max(0, s.dailyLimit - s.usedToday)} of ${s.dailyLimit} (resets in ${s.resetIn})`
    const email =
      s.emailVerified && s.email
        ? `${s.email} (verified)`
        : ctx.services.verification
          ? 'not linked — /verify <email> links your accounts'
          : 'not linked'
    await ctx.reply({
      text: [
        `Plan: ${plan}`,
        `Messages left today: ${left}`,
        `Persona: ${s.persona.name}`,
        `Model: ${model.model}${model.chosen ? ' (chosen for this chat with /model)' : ''}`,
        `Email: ${email}`,
      ].join('\n'),
      ephemeral: true,
      personal: true,
    })
  },
}
