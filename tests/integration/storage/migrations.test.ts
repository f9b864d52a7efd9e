import { readdirSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../../migrations/index.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createTestDatabase, TEST_DIALECTS } from '../../helpers/database.js'

describe('migrations', () => {
  it('lists every file of migrations/ in migrations/index.ts', () => {
    const files = readdirSync(new URL('../../../migrations/', import.meta.url))
      .filter((f) => /^\d{4}_\d{2}_\d{2}_\d{4}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
    expect(Object.keys(migrations).sort()).toEqual(files.sort())
  })

  describe.each(TEST_DIALECTS)('on %s', (dialect) => {
    let handle: DatabaseHandle
    beforeAll(async () => {
      handle = await createTestDatabase(dialect)
    })
    afterAll(async () => {
      await handle.destroy()
    })

    it('creates every table the stores use', async () => {
      const tables = (await handle.db.introspection.getTables()).map((t) => t.name)
      for (const t of [
        'account',
        'identity',
        'conversation',
        'message',
        'chat_settings',
        'usage_daily',
        'subscription',
        'stripe_event',
        'email_token',
        'email_outbox',
        'kv',
      ]) {
        expect(tables).toContain(t)
      }
    })

    it('gives messages increasing ids', async () => {
      await handle.db
        .insertInto('account')
        .values({
          id: 'a1',
          email: null,
          email_verified_at: null,
          adult_confirmed_at: null,
          created_at: 1,
          last_seen_at: 1,
        })
        .execute()
      await handle.db
        .insertInto('conversation')
        .values({
          id: 'c1',
          scope_key: 'account:a1',
          kind: 'direct',
          persona_id: 'p',
          summary: null,
          summary_up_to: null,
          created_at: 1,
          updated_at: 1,
        })
        .execute()
      const ids: number[] = []
      for (let i = 0; i < 3; i++) {
        const row = await handle.db
          .insertInto('message')
          .values({
            conversation_id: 'c1',
            role: 'user',
            account_id: 'a1',
            speaker_name: 'A',
            content: `m${i}`,
            prompt_tokens: null,
            completion_tokens: null,
            status: 'complete',
            model: null,
            created_at: Date.now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        ids.push(row.id)
      }
      expect(typeof ids[0]).toBe('number')
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      const big = await sql<{
        v: number
      }>`select created_at as v from message where id = ${ids[0]}`.execute(handle.db)
      expect(typeof big.rows[0]?.v).toBe('number')
    })
  })
})
