import { type CoreCommand, callerOf } from './types.js'

export const resetCommand: CoreCommand = {
  name: 'reset',
  description: 'Start the conversation over with the current persona',
  async run(ctx) {
    if (ctx.chatKind === 'group' && !ctx.isChatAdmin && !ctx.isAdmin) {
      await ctx.reply({
        text: 'Only admins of this chat can reset its conversation.',
        ephemeral: true,
      })
      return
    }
    const { persona, greeting } = await ctx.services.reset(callerOf(ctx))
    await ctx.reply(`Conversation with ${persona.name} reset.${greeting ? `\n\n${greeting}` : ''}`)
  },
}
