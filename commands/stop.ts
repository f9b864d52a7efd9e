import { type CoreCommand, callerOf } from './types.js'

export const stopCommand: CoreCommand = {
  name: 'stop',
  description: 'Stop the reply being written',
  async run(ctx) {
    const stopped = ctx.services.stop(callerOf(ctx))
    await ctx.reply({ text: stopped ? 'Stopped.' : 'Nothing to stop.', ephemeral: true })
  },
}
