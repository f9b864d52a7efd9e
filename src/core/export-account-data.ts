import type { Stores } from './ports/stores.js'
import { utcDay } from './quota.js'
import { accountScope } from './scopes.js'
import type { Account } from './types.js'

/**
 * Everything stored about an account as plain JSON (`/export`): the account, its identities,
 * persona choice, subscription summary, today's usage, every DM conversation with all its
 * messages, and the person's own messages in group chats.
 */
export async function exportAccountData(
  stores: Stores,
  known: Account,
  now: number,
): Promise<Record<string, unknown>> {
  const account = (await stores.accounts.get(known.id)) ?? known
  const identities = await stores.accounts.identities(account.id)
  const settings = await stores.chatSettings.get(accountScope(account.id))
  const subscription = (await stores.subscriptions.get(account.id)) ?? null
  const usageToday = await stores.usage.get(account.id, utcDay(now))
  const conversations = []
  for (const c of await stores.conversations.listByScope(accountScope(account.id))) {
    const total = await stores.conversations.count(c.id)
    const messages = await stores.conversations.recent(c.id, Math.max(total, 1))
    conversations.push({
      id: c.id,
      personaId: c.personaId,
      summary: c.summary,
      createdAt: new Date(c.createdAt).toISOString(),
      messages: messages.map((m) => ({
        role: m.role,
        speaker: m.speakerName,
        content: m.content,
        status: m.status,
        model: m.model,
        createdAt: new Date(m.createdAt).toISOString(),
      })),
    })
  }
  const groupMessages = (await stores.personalData.groupMessages(account.id)).map((m) => ({
    chat: m.chat,
    personaId: m.personaId,
    speaker: m.speakerName,
    content: m.content,
    createdAt: new Date(m.createdAt).toISOString(),
  }))
  return {
    exportedAt: new Date(now).toISOString(),
    account: {
      id: account.id,
      email: account.email,
      emailVerified: account.emailVerified,
      adultConfirmed: account.adultConfirmed,
      createdAt: new Date(account.createdAt).toISOString(),
    },
    identities: identities.map((i) => ({
      platform: i.platform,
      platformUserId: i.platformUserId,
      displayName: i.displayName,
    })),
    personaChoice: settings.personaId,
    subscription: subscription && {
      status: subscription.status,
      currentPeriodEnd: subscription.currentPeriodEnd,
      cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      compUntil: subscription.compUntil,
    },
    usageToday,
    conversations,
    groupMessages,
  }
}
