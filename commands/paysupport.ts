import type { CoreCommand } from './types.js'

/** Telegram's developer terms ask every bot that takes payments to answer /paysupport. */
export const paysupportCommand: CoreCommand = {
  name: 'paysupport',
  description: 'Help with payments and refunds',
  async run(ctx) {
    const { text, termsUrl } = ctx.services.paySupport
    await ctx.reply({
      text: termsUrl ? `${text}\nTerms: ${termsUrl}` : text,
      ephemeral: true,
    })
  },
}
