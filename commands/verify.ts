import type { CoreCommand } from './types.js'

export const verifyCommand: CoreCommand = {
  name: 'verify',
  description: 'Verify your email to link your Discord and Telegram accounts',
  requires: 'email',
  slow: true,
  options: [{ name: 'email', description: 'Your email address', type: 'string', required: true }],
  async run(ctx) {
    const verification = ctx.services.verification
    if (!verification) return
    const email = ctx.args.email
    if (!email) {
      await ctx.reply({ text: 'Usage: /verify you@example.com', ephemeral: true })
      return
    }
    const result = await verification.start(ctx.caller.account.id, email, ctx.now)
    const text =
      result.status === 'sent'
        ? `I sent a link to ${result.email}. Open it within the hour to verify; doing the same from your other platform links the accounts.`
        : result.status === 'invalid_email'
          ? `"${email}" doesn't look like an email address.`
          : result.status === 'rate_limited'
            ? `Too many verification emails: try again in ${Math.ceil(result.retryAfterSeconds / 60)} min.`
            : `${result.email} is already verified for your account.`
    await ctx.reply({ text, ephemeral: true, personal: true })
  },
}
