import type { CoreCommand } from './types.js'

export const helpCommand: CoreCommand = {
  name: 'help',
  description: 'What I can do and the commands you can use',
  async run(ctx) {
    const visible = ctx.services
      .listCommands()
      .filter(
        (c) =>
          c.permission === 'everyone' ||
          (c.permission === 'admin' && ctx.caller.isAdmin) ||
          (c.permission === 'chat_admin' && (ctx.caller.isChatAdmin || ctx.caller.isAdmin)),
      )
      // Never point people at /subscribe or /billing when the server sells no subscriptions.
      .filter(
        (c) =>
          ctx.services.billing ||
          ctx.services.stars ||
          (c.name !== 'subscribe' && c.name !== 'billing'),
      )
    const lines = visible.map((c) => {
      const args = c.options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`)).join(' ')
      return `/${c.name}${args ? ` ${args}` : ''} — ${c.description}`
    })
    const intro =
      ctx.caller.chatKind === 'direct'
        ? 'Just write to me and the current persona answers.'
        : 'Mention me or reply to me and the current persona answers.'
    await ctx.reply({ text: [intro, '', ...lines].join('\n'), ephemeral: true })
  },
}
