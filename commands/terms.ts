import type { CoreCommand } from './types.js'

export const termsCommand: CoreCommand = {
  name: 'terms',
  description: 'Terms of service for premium',
  async run(ctx) {
    const { termsUrl } = ctx.services.paySupport
    await ctx.reply(
      termsUrl
        ? {
            text: 'The terms of service:',
            ephemeral: true,
            links: [{ label: 'Terms', url: termsUrl }],
          }
        : {
            text: 'This server has not published separate terms. Premium is a monthly subscription you can cancel any time with /billing; /paysupport helps with payments.',
            ephemeral: true,
          },
    )
  },
}
