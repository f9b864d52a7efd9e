import type { Kysely } from 'kysely'
import type { ErasedData, GroupMessage, PersonalDataStore } from '../core/ports/stores.js'
import type { Database } from './database.js'

const DM_PREFIX = 'account:'

/** `PersonalDataStore` over `conversation`, `message`, `email_outbox` and `email_token`. */
export class SqlPersonalDataStore implements PersonalDataStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async conversationsOf(accountId: string): Promise<string[]> {
    const [dms, groups] = await Promise.all([
      this.#db
        .selectFrom('conversation')
        .select('id')
        .where('scope_key', '=', `${DM_PREFIX}${accountId}`)
        .execute(),
      this.#groupConversations(accountId),
    ])
    return [...dms.map((r) => r.id), ...groups]
  }

  async groupMessages(accountId: string): Promise<GroupMessage[]> {
    const rows = await this.#db
      .selectFrom('message')
      .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
      .select([
        'conversation.scope_key',
        'conversation.persona_id',
        'message.speaker_name',
        'message.content',
        'message.created_at',
      ])
      .where('message.account_id', '=', accountId)
      .where('conversation.scope_key', 'not like', `${DM_PREFIX}%`)
      .orderBy('message.id')
      .execute()
    return rows.map((row) => ({
      chat: row.scope_key,
      personaId: row.persona_id,
      speakerName: row.speaker_name,
      content: row.content,
      createdAt: Number(row.created_at),
    }))
  }

  async erase(accountId: string, email: string | null): Promise<ErasedData> {
    const dmScope = `${DM_PREFIX}${accountId}`
    await this.#db
      .deleteFrom('message')
      .where('conversation_id', 'in', (eb) =>
        eb.selectFrom('conversation').select('conversation.id').where('scope_key', '=', dmScope),
      )
      .execute()
    const dms = await this.#db
      .deleteFrom('conversation')
      .where('scope_key', '=', dmScope)
      .executeTakeFirst()

    const groups = await this.#groupConversations(accountId)
    let groupMessages = 0
    if (groups.length > 0) {
      // Replies first: they are found through the person's message just before them.
      const replies = await this.#db
        .deleteFrom('message')
        .where('conversation_id', 'in', groups)
        .where('role', '=', 'assistant')
        .where((eb) =>
          eb(
            eb
              .selectFrom('message as asked')
              .select('asked.account_id')
              .whereRef('asked.conversation_id', '=', 'message.conversation_id')
              .where('asked.role', '=', 'user')
              .whereRef('asked.id', '<', 'message.id')
              .orderBy('asked.id', 'desc')
              .limit(1),
            '=',
            accountId,
          ),
        )
        .executeTakeFirst()
      const own = await this.#db
        .deleteFrom('message')
        .where('conversation_id', 'in', groups)
        .where('account_id', '=', accountId)
        .executeTakeFirst()
      groupMessages = Number(replies.numDeletedRows) + Number(own.numDeletedRows)
      // The group's memory may quote the person; it is rebuilt from what remains.
      await this.#db
        .updateTable('conversation')
        .set({ summary: null, summary_up_to: null })
        .where('id', 'in', groups)
        .execute()
    }

    const emails = email
      ? await this.#db.deleteFrom('email_outbox').where('to_address', '=', email).executeTakeFirst()
      : undefined
    const links = await this.#db
      .deleteFrom('email_token')
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    // Pending or decided requests to link accounts quote the address: they go too.
    const requests = await this.#db
      .deleteFrom('merge_request')
      .where((eb) =>
        eb.or([eb('from_account_id', '=', accountId), eb('into_account_id', '=', accountId)]),
      )
      .executeTakeFirst()
    return {
      conversations: Number(dms.numDeletedRows),
      groupMessages,
      groupSummaries: groups.length,
      emails: Number(emails?.numDeletedRows ?? 0),
      emailLinks: Number(links.numDeletedRows) + Number(requests.numDeletedRows),
    }
  }

  /** No index on `message.account_id` (it would tax every append); forgets are rare. */
  async #groupConversations(accountId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('message')
      .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
      .select('conversation.id')
      .distinct()
      .where('message.account_id', '=', accountId)
      .where('conversation.scope_key', 'not like', `${DM_PREFIX}%`)
      .execute()
    return rows.map((r) => r.id)
  }
}
