import type { CoreCommand } from './types.js'

export const resetCommand: CoreCommand = {
  name: 'reset',
  description: 'Start the conversation over with the current persona',
  async run(ctx) {
    if (ctx.caller.chatKind === 'group' && !ctx.caller.isChatAdmin && !ctx.caller.isAdmin) {
      await ctx.reply({
        text: 'Only admins of this chat can reset its conversation.',
        ephemeral: true,
      })
      return
    }
    const { persona, greeting } = await ctx.services.conversations.reset(ctx.caller)
    await ctx.reply(`Conversation with ${persona.name} reset.${greeting ? `\n\n${greeting}` : ''}`)
  },
}
