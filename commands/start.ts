import type { CoreCommand } from './types.js'

/** What a person sees first (Telegram's Start button sends /start). */
export const startCommand: CoreCommand = {
  name: 'start',
  description: 'Say hello and meet the current persona',
  async run(ctx) {
    const { persona, greeting } = await ctx.services.conversations.open(ctx.caller)
    const opening = greeting
      ? `${persona.name}: ${greeting}`
      : `You are talking to ${persona.name}; your conversation continues where you left it.`
    const howTo =
      ctx.caller.chatKind === 'direct'
        ? 'Just write to me. /personas lists who else you can talk to, /help shows every command.'
        : 'Mention me or reply to me to talk. /personas lists the personas, /help shows every command.'
    await ctx.reply({ text: `Welcome to JustLayMe!\n\n${opening}\n\n${howTo}` })
  },
}
