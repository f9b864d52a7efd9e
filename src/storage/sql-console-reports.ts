import { type Kysely, sql } from 'kysely'
import type { Database } from './database.js'

/** One row of the daily usage rollup. */
export interface UsageRow {
  readonly day: string
  readonly platform: string
  readonly personaId: string
  readonly messages: number
  readonly tokens: number
}

export interface ActiveRow {
  readonly day: string
  readonly platform: string
  readonly people: number
}

/** A person found by the console's search. */
export interface PersonMatch {
  readonly accountId: string
  readonly email: string | null
}

export interface RevenueRow {
  readonly day: string
  readonly source: string
  readonly currency: string
  readonly amount: number
  readonly payments: number
}

const LIKE_SPECIALS = /[\\%_]/g

/**
 * The console's read side: searches and the precomputed daily aggregates (`usage_rollup`,
 * `active_daily`, `premium_daily`, `revenue_daily`); nothing here scans `message`.
 */
export class SqlConsoleReports {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** By account id, `platform:id`, platform id, handle (with or without `@`) or email. */
  async searchPeople(query: string, limit = 20): Promise<PersonMatch[]> {
    const q = query.trim()
    if (q === '') return []
    const ref = /^(discord|telegram|console):(.+)$/.exec(q)
    const handle = q.replace(/^@/, '').toLowerCase()
    const pattern = `%${handle.replace(LIKE_SPECIALS, (c) => `\\${c}`)}%`
    const ids = await this.#db
      .selectFrom('identity')
      .select('account_id')
      .where((eb) =>
        ref
          ? eb.and([
              eb('platform', '=', ref[1] as string),
              eb('platform_user_id', '=', ref[2] as string),
            ])
          : eb.or([
              eb('platform_user_id', '=', q),
              eb('account_id', '=', q),
              eb(sql`lower(handle)`, 'like', sql`${pattern} escape '\\'`),
              eb(sql`lower(display_name)`, 'like', sql`${pattern} escape '\\'`),
            ]),
      )
      .limit(limit)
      .execute()
    const byEmail = ref
      ? []
      : await this.#db
          .selectFrom('account')
          .select('id as account_id')
          .where(sql`lower(email)`, '=', q.toLowerCase())
          .execute()
    const unique = [...new Set([...ids, ...byEmail].map((r) => r.account_id))].slice(0, limit)
    if (unique.length === 0) return []
    const accounts = await this.#db
      .selectFrom('account')
      .select(['id', 'email'])
      .where('id', 'in', unique)
      .execute()
    return accounts.map((a) => ({ accountId: a.id, email: a.email }))
  }

  /** An account's messages and tokens over the days from `sinceDay` on. */
  async accountUsage(
    accountId: string,
    sinceDay: string,
  ): Promise<{ messages: number; tokens: number; today: string | null }> {
    const row = await this.#db
      .selectFrom('usage_daily')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('messages'), sql<number>`0`).as('messages'),
        eb.fn
          .coalesce(eb.fn.sum<number>(sql`prompt_tokens + completion_tokens`), sql<number>`0`)
          .as('tokens'),
        eb.fn.max('day').as('last'),
      ])
      .where('account_id', '=', accountId)
      .where('day', '>=', sinceDay)
      .executeTakeFirstOrThrow()
    return {
      messages: Number(row.messages),
      tokens: Number(row.tokens),
      today: (row.last as string | null) ?? null,
    }
  }

  async usage(sinceDay: string): Promise<UsageRow[]> {
    const rows = await this.#db
      .selectFrom('usage_rollup')
      .selectAll()
      .where('day', '>=', sinceDay)
      .orderBy('day')
      .execute()
    return rows.map((r) => ({
      day: r.day,
      platform: r.platform,
      personaId: r.persona_id,
      messages: Number(r.messages),
      tokens: Number(r.prompt_tokens) + Number(r.completion_tokens),
    }))
  }

  async activePeople(sinceDay: string): Promise<ActiveRow[]> {
    const rows = await this.#db
      .selectFrom('active_daily')
      .select(['day', 'platform', (eb) => eb.fn.countAll<number>().as('people')])
      .where('day', '>=', sinceDay)
      .groupBy(['day', 'platform'])
      .orderBy('day')
      .execute()
    return rows.map((r) => ({ day: r.day, platform: r.platform, people: Number(r.people) }))
  }

  /** Today's totals for the overview (one day of the rollups). */
  async today(day: string): Promise<{ messages: number; tokens: number; people: number }> {
    const usage = await this.#db
      .selectFrom('usage_rollup')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('messages'), sql<number>`0`).as('messages'),
        eb.fn
          .coalesce(eb.fn.sum<number>(sql`prompt_tokens + completion_tokens`), sql<number>`0`)
          .as('tokens'),
      ])
      .where('day', '=', day)
      .executeTakeFirstOrThrow()
    const people = await this.#db
      .selectFrom('active_daily')
      .select((eb) => eb.fn.count<number>('account_id').distinct().as('n'))
      .where('day', '=', day)
      .executeTakeFirstOrThrow()
    return {
      messages: Number(usage.messages),
      tokens: Number(usage.tokens),
      people: Number(people.n),
    }
  }

  async recordPremium(day: string, members: number): Promise<void> {
    await this.#db
      .insertInto('premium_daily')
      .values({ day, members })
      .onConflict((oc) => oc.column('day').doUpdateSet({ members }))
      .execute()
  }

  async premium(sinceDay: string): Promise<{ day: string; members: number }[]> {
    const rows = await this.#db
      .selectFrom('premium_daily')
      .selectAll()
      .where('day', '>=', sinceDay)
      .orderBy('day')
      .execute()
    return rows.map((r) => ({ day: r.day, members: Number(r.members) }))
  }

  async revenue(sinceDay: string): Promise<RevenueRow[]> {
    const rows = await this.#db
      .selectFrom('revenue_daily')
      .selectAll()
      .where('day', '>=', sinceDay)
      .orderBy('day')
      .execute()
    return rows.map((r) => ({
      day: r.day,
      source: r.source,
      currency: r.currency,
      amount: Number(r.amount),
      payments: Number(r.payments),
    }))
  }
}
