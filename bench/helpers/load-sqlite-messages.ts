import SQLite from 'better-sqlite3'

export interface LoadSqliteMessagesOptions {
  readonly conversations: number
  readonly messages: number
  /** Conversation `n` gets the id `${idPrefix}${n}` and the scope key `account:${idPrefix}${n}`. */
  readonly idPrefix: string
  readonly personaId: string
  /** The text of message `i`. */
  readonly content: (i: number) => string
}

/**
 * Bulk-loads a migrated SQLite file through a second connection, in one transaction with one
 * prepared statement per table, then runs `analyze`. Message `i` goes to conversation
 * `i % conversations`, alternates user/assistant starting with user, and is created at `i`.
 */
export function loadSqliteMessages(file: string, options: LoadSqliteMessagesOptions): void {
  const { conversations, messages, idPrefix, personaId, content } = options
  const db = new SQLite(file)
  try {
    db.pragma('synchronous = OFF')
    const conversation = db.prepare(
      `insert into conversation (id, scope_key, kind, persona_id, created_at, updated_at)
       values (?, ?, 'direct', ?, 0, 0)`,
    )
    const message = db.prepare(
      `insert into message (conversation_id, role, content, status, created_at)
       values (?, ?, ?, 'complete', ?)`,
    )
    db.transaction(() => {
      for (let c = 0; c < conversations; c++) {
        conversation.run(`${idPrefix}${c}`, `account:${idPrefix}${c}`, personaId)
      }
      for (let i = 0; i < messages; i++) {
        const role = i % 2 === 0 ? 'user' : 'assistant'
        message.run(`${idPrefix}${i % conversations}`, role, content(i), i)
      }
    })()
    db.exec('analyze')
  } finally {
    db.close()
  }
}
