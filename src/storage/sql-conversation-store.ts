import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable, Updateable } from 'kysely'
import type { ConversationStore, MessagePatch } from '../core/ports/stores.js'
import type {
  ChatKind,
  Conversation,
  MessageStatus,
  NewMessage,
  Role,
  StoredMessage,
} from '../core/types.js'
import type { ConversationTable, Database, MessageTable } from './database.js'

/** `ConversationStore` over `conversation` and `message`. */
export class SqlConversationStore implements ConversationStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Race-safe: concurrent first calls create one row (unique scope + persona) and all see it. */
  async getOrCreate(
    scopeKey: string,
    personaId: string,
    kind: ChatKind,
    now: number,
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const existing = await this.#find(scopeKey, personaId)
    if (existing) return { conversation: existing, created: false }
    const inserted = await this.#db
      .insertInto('conversation')
      .values({
        id: randomUUID(),
        scope_key: scopeKey,
        kind,
        persona_id: personaId,
        summary: null,
        summary_up_to: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['scope_key', 'persona_id']).doNothing())
      .returningAll()
      .executeTakeFirst()
    if (inserted) return { conversation: toConversation(inserted), created: true }
    const winner = await this.#find(scopeKey, personaId)
    if (!winner) throw new Error('conversation vanished while being created')
    return { conversation: winner, created: false }
  }

  async get(conversationId: string): Promise<Conversation | undefined> {
    const row = await this.#db
      .selectFrom('conversation')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirst()
    return row ? toConversation(row) : undefined
  }

  async listByScope(scopeKey: string): Promise<Conversation[]> {
    const rows = await this.#db
      .selectFrom('conversation')
      .selectAll()
      .where('scope_key', '=', scopeKey)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toConversation)
  }

  /** Reads back only the new id: everything else is what was written. */
  async append(message: NewMessage): Promise<StoredMessage> {
    const stored = {
      conversationId: message.conversationId,
      role: message.role,
      accountId: message.accountId ?? null,
      speakerName: message.speakerName ?? null,
      content: message.content,
      promptTokens: message.promptTokens ?? null,
      completionTokens: message.completionTokens ?? null,
      status: message.status,
      model: message.model ?? null,
      createdAt: message.createdAt,
    }
    const row = await this.#db
      .insertInto('message')
      .values({
        conversation_id: stored.conversationId,
        role: stored.role,
        account_id: stored.accountId,
        speaker_name: stored.speakerName,
        content: stored.content,
        prompt_tokens: stored.promptTokens,
        completion_tokens: stored.completionTokens,
        status: stored.status,
        model: stored.model,
        created_at: stored.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { id: Number(row.id), ...stored }
  }

  async update(messageId: number, patch: MessagePatch): Promise<void> {
    const set: Updateable<MessageTable> = {}
    if (patch.content !== undefined) set.content = patch.content
    if (patch.status !== undefined) set.status = patch.status
    if (patch.promptTokens !== undefined) set.prompt_tokens = patch.promptTokens
    if (patch.completionTokens !== undefined) set.completion_tokens = patch.completionTokens
    if (patch.model !== undefined) set.model = patch.model
    if (Object.keys(set).length === 0) return
    await this.#db.updateTable('message').set(set).where('id', '=', messageId).execute()
  }

  async deleteMessage(messageId: number): Promise<void> {
    await this.#db.deleteFrom('message').where('id', '=', messageId).execute()
  }

  /**
   * Walks the `(conversation_id, id)` index backwards, so the cost does not grow with the table.
   * The conversation id is known, so it is not read back for every row.
   */
  async recent(conversationId: string, limit: number, beforeId?: number): Promise<StoredMessage[]> {
    if (limit <= 0) return []
    let query = this.#db
      .selectFrom('message')
      .select(MESSAGE_COLUMNS)
      .where('conversation_id', '=', conversationId)
    if (beforeId !== undefined) query = query.where('id', '<', beforeId)
    const rows = await query.orderBy('id', 'desc').limit(limit).execute()
    return rows.reverse().map((row) => toMessage(conversationId, row))
  }

  async count(conversationId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('message')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async setSummary(
    conversationId: string,
    summary: string | null,
    upToMessageId: number | null,
    now: number,
  ): Promise<void> {
    await this.#db
      .updateTable('conversation')
      .set({ summary, summary_up_to: upToMessageId, updated_at: now })
      .where('id', '=', conversationId)
      .execute()
  }

  async clear(conversationId: string): Promise<void> {
    await this.#db.deleteFrom('message').where('conversation_id', '=', conversationId).execute()
    await this.#db
      .updateTable('conversation')
      .set({ summary: null, summary_up_to: null })
      .where('id', '=', conversationId)
      .execute()
  }

  /** Deletes the messages explicitly rather than trusting `on delete cascade` to be enabled. */
  async deleteScope(scopeKey: string): Promise<number> {
    await this.#db
      .deleteFrom('message')
      .where('conversation_id', 'in', (eb) =>
        eb.selectFrom('conversation').select('conversation.id').where('scope_key', '=', scopeKey),
      )
      .execute()
    const result = await this.#db
      .deleteFrom('conversation')
      .where('scope_key', '=', scopeKey)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async #find(scopeKey: string, personaId: string): Promise<Conversation | undefined> {
    const row = await this.#db
      .selectFrom('conversation')
      .selectAll()
      .where('scope_key', '=', scopeKey)
      .where('persona_id', '=', personaId)
      .executeTakeFirst()
    return row ? toConversation(row) : undefined
  }
}

function toConversation(row: Selectable<ConversationTable>): Conversation {
  return {
    id: row.id,
    scopeKey: row.scope_key,
    kind: row.kind as ChatKind,
    personaId: row.persona_id,
    summary: row.summary,
    summaryUpTo: row.summary_up_to === null ? null : Number(row.summary_up_to),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/** Every message column but `conversation_id`, which the caller already knows. */
const MESSAGE_COLUMNS = [
  'id',
  'role',
  'account_id',
  'speaker_name',
  'content',
  'prompt_tokens',
  'completion_tokens',
  'status',
  'model',
  'created_at',
] as const

type MessageRow = Pick<Selectable<MessageTable>, (typeof MESSAGE_COLUMNS)[number]>

function toMessage(conversationId: string, row: MessageRow): StoredMessage {
  return {
    id: Number(row.id),
    conversationId,
    role: row.role as Role,
    accountId: row.account_id,
    speakerName: row.speaker_name,
    content: row.content,
    promptTokens: row.prompt_tokens === null ? null : Number(row.prompt_tokens),
    completionTokens: row.completion_tokens === null ? null : Number(row.completion_tokens),
    status: row.status as MessageStatus,
    model: row.model,
    createdAt: Number(row.created_at),
  }
}
