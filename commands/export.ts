import type { CoreCommand } from './types.js'

export const exportCommand: CoreCommand = {
  name: 'export',
  description: 'Download all your data as a JSON file',
  slow: true,
  async run(ctx) {
    const data = await ctx.services.account.exportData(ctx.caller)
    await ctx.reply({
      text: 'Here is everything we store about you.',
      ephemeral: true,
      personal: true,
      file: {
        name: `justlayme-export-${ctx.caller.account.id}.json`,
        mimeType: 'application/json',
        content: JSON.stringify(data, null, 2),
      },
    })
  },
}
