import type { Kysely } from 'kysely'
import type { UsageStore, UsageWhere } from '../core/ports/stores.js'
import type { DailyUsage } from '../core/types.js'
import type { Database } from './database.js'

const ZERO: DailyUsage = { messages: 0, promptTokens: 0, completionTokens: 0 }

/** `UsageStore` over `usage_daily`: one row per account and UTC day. */
export class SqlUsageStore implements UsageStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** One atomic upsert; concurrent adds never lose an increment. */
  async add(
    accountId: string,
    day: string,
    delta: Partial<DailyUsage>,
    where?: UsageWhere,
  ): Promise<DailyUsage> {
    if (where) await this.#rollUp(accountId, day, delta, where)
    const row = await this.#db
      .insertInto('usage_daily')
      .values({
        account_id: accountId,
        day,
        messages: delta.messages ?? 0,
        prompt_tokens: delta.promptTokens ?? 0,
        completion_tokens: delta.completionTokens ?? 0,
      })
      .onConflict((oc) =>
        oc.columns(['account_id', 'day']).doUpdateSet((eb) => ({
          messages: eb('usage_daily.messages', '+', eb.ref('excluded.messages')),
          prompt_tokens: eb('usage_daily.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
          completion_tokens: eb(
            'usage_daily.completion_tokens',
            '+',
            eb.ref('excluded.completion_tokens'),
          ),
        })),
      )
      .returning(['messages', 'prompt_tokens', 'completion_tokens'])
      .executeTakeFirstOrThrow()
    return toUsage(row)
  }

  /** The console's daily aggregates, so its charts never scan `message`. */
  async #rollUp(
    accountId: string,
    day: string,
    delta: Partial<DailyUsage>,
    where: UsageWhere,
  ): Promise<void> {
    await this.#db
      .insertInto('usage_rollup')
      .values({
        day,
        platform: where.platform,
        persona_id: where.personaId,
        messages: delta.messages ?? 0,
        prompt_tokens: delta.promptTokens ?? 0,
        completion_tokens: delta.completionTokens ?? 0,
      })
      .onConflict((oc) =>
        oc.columns(['day', 'platform', 'persona_id']).doUpdateSet((eb) => ({
          messages: eb('usage_rollup.messages', '+', eb.ref('excluded.messages')),
          prompt_tokens: eb('usage_rollup.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
          completion_tokens: eb(
            'usage_rollup.completion_tokens',
            '+',
            eb.ref('excluded.completion_tokens'),
          ),
        })),
      )
      .execute()
    await this.#db
      .insertInto('active_daily')
      .values({ day, platform: where.platform, account_id: accountId })
      .onConflict((oc) => oc.doNothing())
      .execute()
  }

  async get(accountId: string, day: string): Promise<DailyUsage> {
    const row = await this.#db
      .selectFrom('usage_daily')
      .select(['messages', 'prompt_tokens', 'completion_tokens'])
      .where('account_id', '=', accountId)
      .where('day', '=', day)
      .executeTakeFirst()
    return row ? toUsage(row) : ZERO
  }
}

function toUsage(row: {
  messages: number
  prompt_tokens: number
  completion_tokens: number
}): DailyUsage {
  return {
    messages: Number(row.messages),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
  }
}
