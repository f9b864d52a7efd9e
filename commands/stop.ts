import type { CoreCommand } from './types.js'

export const stopCommand: CoreCommand = {
  name: 'stop',
  description: 'Stop the reply being written',
  async run(ctx) {
    const stopped = ctx.services.conversations.stop(ctx.caller)
    await ctx.reply({ text: stopped ? 'Stopped.' : 'Nothing to stop.', ephemeral: true })
  },
}
