import type { CoreCommand } from './types.js'

export const forgetCommand: CoreCommand = {
  name: 'forget',
  description: 'Delete your private conversations and memory (asks first)',
  options: [
    {
      name: 'confirm',
      description: 'Type yes to confirm',
      type: 'string',
      choices: [{ name: 'yes', value: 'yes' }],
    },
  ],
  async run(ctx) {
    if (ctx.args.confirm?.toLowerCase() !== 'yes') {
      await ctx.reply({
        text: 'This deletes all your private conversations with every persona, and what they remember. It cannot be undone.',
        ephemeral: true,
        actions: [{ label: 'Delete everything', command: 'forget', args: { confirm: 'yes' } }],
      })
      return
    }
    const { conversations } = await ctx.services.conversations.forget(ctx.caller)
    await ctx.reply({
      text:
        conversations > 0
          ? `Done: deleted ${conversations} conversation${conversations === 1 ? '' : 's'} and their memory.`
          : 'There was nothing to delete.',
      ephemeral: true,
    })
  },
}
