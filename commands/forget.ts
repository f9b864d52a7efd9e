import type { ForgetOutcome } from '../src/core/forget-account.js'
import type { CoreCommand } from './types.js'

const CANNOT_DELETE =
  'What we cannot delete for you: the messages as Discord or Telegram keep them in the chat ' +
  '(delete those in the app), and database backups the operator made before now, which keep ' +
  'a copy until they are rotated out.'

export const forgetCommand: CoreCommand = {
  name: 'forget',
  description: 'Delete your conversations, memory and messages (asks first)',
  slow: true,
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
        text:
          'This deletes your private conversations with every persona and what they remember, ' +
          'your messages in group chats with the replies to them, and copies of emails we sent ' +
          'you. Your account, linked platforms and subscription stay. It cannot be undone.',
        ephemeral: true,
        actions: [{ label: 'Delete everything', command: 'forget', args: { confirm: 'yes' } }],
      })
      return
    }
    const outcome = await ctx.services.conversations.forget(ctx.caller)
    await ctx.reply({ text: `${describeDeleted(outcome)}\n${CANNOT_DELETE}`, ephemeral: true })
  },
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

/** "Done: deleted …" listing only what there was, or "There was nothing to delete." */
export function describeDeleted(o: ForgetOutcome): string {
  const parts: string[] = []
  if (o.conversations > 0) {
    parts.push(
      `${count(o.conversations, 'private conversation', 'private conversations')} and their memory`,
    )
  }
  if (o.groupMessages > 0) {
    parts.push(
      `${count(o.groupMessages, 'group message', 'group messages')} (yours and the replies to them)`,
    )
  }
  if (o.emails > 0) parts.push(count(o.emails, 'stored email', 'stored emails'))
  if (o.emailLinks > 0) parts.push(count(o.emailLinks, 'email link', 'email links'))
  if (o.files > 0) parts.push(count(o.files, 'export file', 'export files'))
  if (o.cachedReplies > 0) parts.push(count(o.cachedReplies, 'cached reply', 'cached replies'))
  if (parts.length === 0) return 'There was nothing to delete.'
  return `Done: deleted ${parts.join(', ')}.`
}
