import type { CoreCommand } from './types.js'

export const memoryCommand: CoreCommand = {
  name: 'memory',
  description: 'What the persona remembers of older messages',
  async run(ctx) {
    const { persona, summary } = await ctx.services.conversations.memory(ctx.caller)
    await ctx.reply({
      text: summary
        ? `What ${persona.name} remembers:\n${summary}`
        : `${persona.name} has no long-term memory of this conversation yet: it is still short enough to remember word for word.`,
      ephemeral: true,
    })
  },
}
