import type { CoreCommand, CoreCommandContext } from './types.js'

/** Said instead of "Run /subscribe" when the server sells no subscriptions. */
const NO_SUBSCRIPTIONS =
  'Subscriptions are not enabled on this server; a bot admin can give you premium with /admin grant.'

const ADULT_PLACES =
  'in a Discord age-restricted channel, in a Telegram private chat after /settings adult yes, or in a Telegram group where an admin ran /channel adult on'

async function exportPersona(ctx: CoreCommandContext, request: string | undefined): Promise<void> {
  const m = /^(?:(.*?)\s+)?(json|png)$/i.exec(request ?? '')
  const format = m ? (m[2]?.toLowerCase() as 'json' | 'png') : 'auto'
  const name = (m ? m[1] : request)?.trim() || undefined
  const persona = name
    ? ctx.services.personas.find(name)
    : await ctx.services.personas.active(ctx.caller)
  if (!persona) {
    await ctx.reply({
      text: `I don't know a persona called "${name}". Try /personas.`,
      ephemeral: true,
    })
    return
  }
  const result = await ctx.services.personas.export(ctx.caller, persona, format)
  const refusal: Record<Exclude<typeof result.status, 'exported'>, string> = {
    not_exportable: `${persona.name} cannot be exported: the operator keeps this card private.`,
    adult_not_allowed: `${persona.name} is for adults only. To export it, confirm you are 18 or older with /settings adult yes and ask ${ADULT_PLACES}.`,
    premium_required: `${persona.name} is for premium members. ${ctx.services.billing || ctx.services.stars ? 'Run /subscribe to export it.' : NO_SUBSCRIPTIONS}`,
    not_allowed_here: `${persona.name} is not allowed in this chat. A chat admin can change that with /channel.`,
  }
  if (result.status !== 'exported') {
    await ctx.reply({ text: refusal[result.status], ephemeral: true })
    return
  }
  if (result.png) {
    await ctx.reply({
      text: `${persona.name} as a Character Card V3 PNG (picture kept; /persona export ${persona.id} json for JSON):`,
      ephemeral: true,
      personal: true,
      file: { name: `${persona.id}.png`, mimeType: 'image/png', content: result.png },
    })
    return
  }
  await ctx.reply({
    text: `${persona.name} as a Character Card V3:`,
    ephemeral: true,
    personal: true,
    file: {
      name: `${persona.id}.json`,
      mimeType: 'application/json',
      content: JSON.stringify(result.card, null, 2),
    },
  })
}

export const personaCommand: CoreCommand = {
  name: 'persona',
  description: 'Switch persona (or "export [name]" for its character card)',
  options: [
    {
      name: 'name',
      description: 'Persona name or id',
      type: 'string',
      required: true,
      autocomplete: 'personas',
    },
  ],
  async run(ctx) {
    const input = ctx.args.name
    const caller = ctx.caller
    if (!input) {
      const active = await ctx.services.personas.active(caller)
      await ctx.reply({
        text: `You are talking to ${active.name}. Switch with /persona <name>; see /personas.`,
        ephemeral: true,
      })
      return
    }
    const exported = /^export(?:\s+(.+))?$/i.exec(input)
    if (exported && !ctx.services.personas.find(input)) {
      await exportPersona(ctx, exported[1]?.trim())
      return
    }
    const result = await ctx.services.personas.choose(caller, input)
    switch (result.status) {
      case 'chosen': {
        const where = result.scope === 'chat' ? 'in this chat' : 'in your private chats'
        const { greeting } = await ctx.services.conversations.open(caller)
        const opening = greeting
          ? `\n\n${result.persona.name}: ${greeting}`
          : ' Your conversation continues where you left it.'
        await ctx.reply({
          text: `${result.persona.name} now answers ${where}.${opening}`,
          ephemeral: result.scope === 'account',
        })
        return
      }
      case 'not_found':
        await ctx.reply({
          text: `I don't know a persona called "${input}". Try /personas.`,
          ephemeral: true,
        })
        return
      case 'adult_not_allowed':
        await ctx.reply({
          text: `${result.persona.name} is for adults only: use it ${ADULT_PLACES}.`,
          ephemeral: true,
        })
        return
      case 'premium_required':
        await ctx.reply({
          text: `${result.persona.name} is for premium members. ${ctx.services.billing || ctx.services.stars ? 'Run /subscribe to unlock it.' : NO_SUBSCRIPTIONS}`,
          ephemeral: true,
        })
        return
      case 'not_allowed_here':
        await ctx.reply({
          text: `${result.persona.name} is not allowed in this chat. A chat admin can change that with /channel.`,
          ephemeral: true,
        })
        return
      case 'chat_admin_only':
        await ctx.reply({
          text: 'Only admins of this chat can change its persona.',
          ephemeral: true,
        })
        return
    }
  },
}
