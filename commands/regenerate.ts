import type { CoreCommand } from './types.js'

export const regenerateCommand: CoreCommand = {
  name: 'regenerate',
  description: 'Replace the last reply with a new one',
  slow: true,
  async run(ctx) {
    // In groups the core lets only chat admins and the person the reply answered do this.
    await ctx.stream(ctx.services.conversations.regenerate(ctx.caller))
  },
}
