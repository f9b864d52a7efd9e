import type { CoreCommand, CoreCommandContext } from './types.js'

async function exportPersona(ctx: CoreCommandContext, name: string | undefined): Promise<void> {
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
  const card = ctx.services.personas.exportCard(persona.id)
  if (!card) {
    await ctx.reply({ text: `${persona.name} cannot be exported.`, ephemeral: true })
    return
  }
  await ctx.reply({
    text: `${persona.name} as a Character Card V3:`,
    ephemeral: true,
    file: {
      name: `${persona.id}.json`,
      mimeType: 'application/json',
      content: JSON.stringify(card, null, 2),
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
          text: `${result.persona.name} is for adults only: use it in a Discord age-restricted channel, in a Telegram private chat after /settings adult yes, or in a Telegram group where an admin ran /channel adult on.`,
          ephemeral: true,
        })
        return
      case 'premium_required':
        await ctx.reply({
          text: `${result.persona.name} is for premium members. Run /subscribe to unlock it.`,
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
