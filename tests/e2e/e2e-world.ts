import { cpSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DiscordDouble, type InteractionRecord } from '../doubles/discord-double.js'
import {
  type OllamaDouble,
  type OllamaDoubleKnobs,
  startOllamaDouble,
} from '../doubles/ollama-double.js'
import { type SmtpDouble, startSmtpDouble } from '../doubles/smtp-double.js'
import { deliverEvent, type Obj, StripeDouble } from '../doubles/stripe-double.js'
import { TelegramApiDouble } from '../doubles/telegram-double.js'
import { findLeaks, type Leak, linkTokensIn } from './log-sweep.js'
import { freePort, type PlatformProcess, startPlatform, tempDataDir } from './platform-process.js'

export const STRIPE_SECRET_KEY = 'sk_test_e2e_secret'
export const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_secret'
export const STRIPE_PRICE_ID = 'price_e2e_premium'
export const MODEL = 'llama3.2'
/** Telegram user id of the operator listed in ADMINS. */
export const TELEGRAM_ADMIN_ID = 900_000_001

/**
 * Every double the platform talks to, plus one spawned platform pointed at them. One world
 * per test file; `restart()` keeps the same data directory, ports and doubles.
 */
export class World {
  readonly ollama: OllamaDouble
  readonly telegram: TelegramApiDouble
  readonly discord: DiscordDouble
  readonly stripe: StripeDouble
  readonly smtp: SmtpDouble
  readonly dataDir: string
  readonly port: number
  readonly env: Record<string, string>
  platform: PlatformProcess
  /** Log lines of platform processes this world already replaced (restarts). */
  readonly #earlierLogs: string[] = []

  private constructor(
    parts: Pick<
      World,
      'ollama' | 'telegram' | 'discord' | 'stripe' | 'smtp' | 'dataDir' | 'port' | 'env'
    >,
    platform: PlatformProcess,
  ) {
    this.ollama = parts.ollama
    this.telegram = parts.telegram
    this.discord = parts.discord
    this.stripe = parts.stripe
    this.smtp = parts.smtp
    this.dataDir = parts.dataDir
    this.port = parts.port
    this.env = parts.env
    this.platform = platform
  }

  static async start(
    options: {
      env?: Record<string, string>
      ollama?: Partial<OllamaDoubleKnobs>
      /** Start the platform while the Ollama double is stopped. */
      ollamaDown?: boolean
      /** Start the platform while the SMTP double is down. */
      smtpDown?: boolean
    } = {},
  ): Promise<World> {
    const ollama = await startOllamaDouble({ models: [MODEL], ...options.ollama })
    const telegram = await TelegramApiDouble.start()
    // Discord's real per-channel budget (5 writes per 5 s), the double's default.
    const discord = await DiscordDouble.start()
    const stripe = await StripeDouble.start({
      secretKey: STRIPE_SECRET_KEY,
      prices: [STRIPE_PRICE_ID],
    })
    const smtp = await startSmtpDouble()
    const dataDir = tempDataDir()
    const personasDir = join(dataDir, 'personas')
    cpSync(join(process.cwd(), 'personas'), personasDir, { recursive: true })
    // Links and the Telegram webhook carry PUBLIC_URL, so this port is chosen before the start
    // (not PORT=0); if something takes it in between, the start is retried on another one.
    let port = await freePort()
    const env: Record<string, string> = {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
      DATABASE_URL: join(dataDir, 'justlayme.sqlite'),
      DATA_DIR: dataDir,
      PERSONAS_DIR: personasDir,
      ADMINS: `telegram:${TELEGRAM_ADMIN_ID}`,
      OLLAMA_HOSTS: ollama.url,
      OLLAMA_MODEL: MODEL,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_TOKEN: 'e2e.discord.token',
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_PRICE_ID,
      STRIPE_API_URL: stripe.url,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'JustLayMe <bot@justlayme.test>',
      ADMIN_EMAIL: 'ops@justlayme.test',
      ...options.env,
    }
    if (options.ollamaDown) await ollama.stop()
    if (options.smtpDown) await smtp.down()
    let platform: PlatformProcess
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          platform = await startPlatform(env)
          break
        } catch (err) {
          if (attempt === 3 || !/EADDRINUSE/.test(String(err)) || options.env?.PORT) throw err
          port = await freePort()
          env.PORT = String(port)
          env.PUBLIC_URL = options.env?.PUBLIC_URL ?? `http://127.0.0.1:${port}`
        }
      }
    } catch (err) {
      await Promise.allSettled([
        ollama.close(),
        telegram.close(),
        discord.close(),
        stripe.close(),
        smtp.close(),
      ])
      throw err
    }
    const world = new World(
      { ollama, telegram, discord, stripe, smtp, dataDir, port, env },
      platform,
    )
    try {
      await world.waitForBots()
    } catch (err) {
      await world.close()
      throw new Error(
        `platform started but the bots did not connect:\n${world.platform.stderr()}`,
        {
          cause: err,
        },
      )
    }
    return world
  }

  get url(): string {
    return this.platform.url
  }

  /** Both bots connected (Telegram long polling, Discord identified) and start-up done. */
  async waitForBots(): Promise<void> {
    await this.platform.waitForLog((l) => l.msg === 'JustLayMe is running', 30_000)
    await this.platform.waitForLog(
      (l) => l.msg === 'telegram long polling started' || l.msg === 'telegram webhook set',
      30_000,
    )
    await this.discord.waitFor(() => this.discord.gateway.connected, 30_000)
  }

  /** Restarts on the same data after a stop or `kill -9`. */
  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    this.#earlierLogs.push(...this.#linesOf(this.platform))
    this.platform = await startPlatform({ ...this.env, ...extraEnv })
    await this.waitForBots()
  }

  /** Every log line of every platform process this world ran: JSON lines and stderr. */
  allLogLines(): string[] {
    return [...this.#earlierLogs, ...this.#linesOf(this.platform)]
  }

  #linesOf(platform: PlatformProcess): string[] {
    return [...platform.logs.map((l) => JSON.stringify(l)), ...platform.stderr().split('\n')]
  }

  /**
   * Configured secrets, the link secret and every personal link token the platform sent
   * through the doubles (chat messages, buttons, mails), by name.
   */
  secrets(): Record<string, string | undefined> {
    const secrets: Record<string, string | undefined> = {
      DISCORD_TOKEN: this.env.DISCORD_TOKEN,
      TELEGRAM_BOT_TOKEN: this.env.TELEGRAM_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: this.env.TELEGRAM_WEBHOOK_SECRET,
      STRIPE_SECRET_KEY: this.env.STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: this.env.STRIPE_WEBHOOK_SECRET,
      LINK_SECRET: this.env.LINK_SECRET ?? this.#storedLinkSecret(),
      METRICS_TOKEN: this.env.METRICS_TOKEN,
    }
    const sent: string[] = []
    for (const method of ['sendMessage', 'editMessageText', 'sendDocument']) {
      for (const call of this.telegram.callsOf(method)) sent.push(JSON.stringify(call.body))
    }
    for (const m of this.discord.messages.values()) sent.push(safeJson(m))
    for (const i of this.discord.interactions.values()) sent.push(safeJson(i.callbacks))
    for (const mail of this.smtp.messages) sent.push(mail.text, mail.html)
    for (const [n, token] of linkTokensIn(sent).entries()) secrets[`link token #${n}`] = token
    return secrets
  }

  #storedLinkSecret(): string | undefined {
    if (this.env.DATABASE_URL?.startsWith('postgres')) return undefined
    try {
      return this.query<{ value: string }>("select value from kv where key = 'link_secret'")[0]
        ?.value
    } catch {
      return undefined
    }
  }

  /** The redaction sweep: log lines that hold a secret or a link token (none expected). */
  leaks(): Leak[] {
    return findLeaks(this.allLogLines(), this.secrets())
  }

  /** Stops everything; fails when any log line of the run holds a secret or a link token. */
  async close(): Promise<void> {
    await this.platform.stop().catch(() => undefined)
    const leaks = this.leaks()
    await Promise.allSettled([
      this.ollama.close(),
      this.telegram.close(),
      this.discord.close(),
      this.stripe.close(),
      this.smtp.close(),
    ])
    rmSync(this.dataDir, { recursive: true, force: true })
    if (leaks.length > 0) {
      throw new Error(
        `secrets in the logs:\n${leaks.map((l) => `${l.what}: ${l.line}`).join('\n')}`,
      )
    }
  }

  // ---- Telegram ------------------------------------------------------------------------

  /**
   * A private-chat message from `userId`; resolves with the bot's new messages once `done`
   * holds for them (default: at least one message, none still changing for a moment).
   */
  async telegramSay(
    userId: number,
    text: string,
    done: (texts: string[]) => boolean = (t) => t.length > 0,
    timeoutMs = 30_000,
  ): Promise<string[]> {
    const before = this.telegram.botMessages(userId).length
    this.telegram.injectMessage({ chatId: userId, userId, text })
    return this.telegram.until(() => {
      const fresh = this.telegram
        .botMessages(userId)
        .slice(before)
        .map((m) => m.text)
      return done(fresh) ? fresh : undefined
    }, timeoutMs)
  }

  /** URL buttons on the bot's latest messages in a chat. */
  telegramLinks(chatId: number): string[] {
    return this.telegram.botMessages(chatId).flatMap((m) => {
      const markup = m.replyMarkup as { inline_keyboard?: { url?: string }[][] } | undefined
      return (markup?.inline_keyboard ?? []).flat().flatMap((b) => (b.url ? [b.url] : []))
    })
  }

  // ---- Discord ---------------------------------------------------------------------------

  /** Runs a slash command and resolves with the text of its (possibly deferred) answer. */
  async discordCommand(
    userId: string,
    name: string,
    options: { name: string; type: number; value: string | number | boolean }[] = [],
    timeoutMs = 30_000,
  ): Promise<{ text: string; links: string[]; interaction: InteractionRecord }> {
    const user = { id: userId, username: `user${userId.slice(-4)}` }
    const interaction = this.discord.injectSlashCommand({
      channelId: this.discord.dmChannelFor(userId),
      user,
      name,
      options,
    })
    return this.discord.waitFor(() => {
      const answer = interactionAnswer(this, interaction)
      return answer ? { ...answer, interaction } : undefined
    }, timeoutMs)
  }

  /** A DM to the bot; resolves with the bot's messages in the DM once `done` holds. */
  async discordDm(
    userId: string,
    text: string,
    done: (texts: string[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<string[]> {
    const channelId = this.discord.dmChannelFor(userId)
    const before = this.discord.channelMessages(channelId).map((m) => m.id)
    this.discord.injectMessage({
      channelId,
      author: { id: userId, username: `user${userId.slice(-4)}` },
      content: text,
    })
    return this.discord.waitFor(() => {
      const fresh = this.discord
        .channelMessages(channelId)
        .filter((m) => !before.includes(m.id) && m.authorId !== userId)
        .map((m) => m.content)
      return done(fresh) ? fresh : undefined
    }, timeoutMs)
  }

  // ---- Stripe ----------------------------------------------------------------------------

  /** Opens a personal subscribe link; returns the Checkout Session id from the 303. */
  async openSubscribeLink(link: string): Promise<string> {
    const res = await fetch(link, { redirect: 'manual' })
    if (res.status !== 303)
      throw new Error(`subscribe link answered ${res.status}: ${await res.text()}`)
    const location = res.headers.get('location') ?? ''
    const payPage = await fetch(location)
    if (payPage.status !== 200) throw new Error(`Stripe double pay page answered ${payPage.status}`)
    const sessionId = /\/pay\/(cs_test_\w+)/.exec(location)?.[1]
    if (!sessionId) throw new Error(`no checkout session in ${location}`)
    return sessionId
  }

  /** Pays the session in the Stripe double and delivers the webhooks Stripe would send. */
  async pay(
    sessionId: string,
  ): Promise<{ subscriptionId: string; customerId: string; invoiceId: string; events: Obj[] }> {
    const paid = this.stripe.pay(sessionId)
    const events = [
      this.stripe.checkoutCompleted(sessionId),
      this.stripe.subscriptionEvent('created', paid.subscriptionId),
      this.stripe.invoiceEvent('paid', paid.invoiceId),
    ]
    for (const event of events) {
      const answer = await this.webhook(event)
      if (answer.status !== 200) throw new Error(`webhook ${event.type} answered ${answer.status}`)
    }
    return { ...paid, events }
  }

  async webhook(event: Obj): Promise<{ status: number; body: any }> {
    return deliverEvent(`${this.url}/webhooks/stripe`, event, { secret: STRIPE_WEBHOOK_SECRET })
  }

  // ---- Email -----------------------------------------------------------------------------

  /** Waits for a verification email to `address` (after `skip` earlier ones) and returns its link. */
  async verificationLink(address: string, skip = 0): Promise<string> {
    const mail = await waitUntil(
      () =>
        this.smtp.messages.filter(
          (m) => m.envelopeTo.includes(address) && /\/verify\?token=/.test(m.text),
        )[skip],
      30_000,
    )
    const link = /(https?:\/\/\S+\/verify\?token=[\w-]+)/.exec(mail.text)?.[1]
    if (!link) throw new Error(`no link in mail:\n${mail.text}`)
    return link
  }

  /** GET the confirmation page, then POST its form, as a person in a browser would. */
  async confirmEmail(link: string): Promise<string> {
    const page = await fetch(link)
    if (page.status !== 200) throw new Error(`verify page answered ${page.status}`)
    const html = await page.text()
    const token = new URL(link).searchParams.get('token') ?? ''
    if (!html.includes(token)) throw new Error('confirmation page does not carry the token')
    const confirmed = await fetch(`${this.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    })
    if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`)
    return confirmed.text()
  }

  /** Opens an approve/refuse button of a merge request, then submits its form. */
  async decideMerge(link: string): Promise<string> {
    const page = await fetch(link)
    if (page.status !== 200) throw new Error(`merge page answered ${page.status}`)
    await page.arrayBuffer()
    const params = new URL(link).searchParams
    const decided = await fetch(`${this.url}/verify/merge`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: params.get('token') ?? '',
        decision: params.get('decision') ?? '',
      }).toString(),
    })
    if (decided.status !== 200) throw new Error(`merge decision answered ${decided.status}`)
    return decided.text()
  }

  // ---- Database ---------------------------------------------------------------------------

  /** Reads the platform's SQLite file (read-only) while it runs or after it stopped. */
  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(this.env.DATABASE_URL, { readonly: true, fileMustExist: true })
    try {
      return db.prepare(sql).all(...params) as T[]
    } finally {
      db.close()
    }
  }

  async health(): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/health`)
    return { status: res.status, body: await res.json().catch(() => undefined) }
  }

  /** Log lines with level >= 50 (error, fatal), for asserting nothing unexpected broke. */
  errors(): string[] {
    return this.platform.logs.filter((l) => (l.level ?? 0) >= 50).map((l) => JSON.stringify(l))
  }
}

/** The visible answer of an interaction: callback content, or the deferred reply's edit. */
export function interactionAnswer(
  world: World,
  interaction: InteractionRecord,
): { text: string; links: string[] } | undefined {
  const linksOf = (components: unknown): string[] =>
    ((components ?? []) as { components?: { url?: string }[] }[])
      .flatMap((row) => row.components ?? [])
      .flatMap((b) => (b.url ? [b.url] : []))
  const immediate = interaction.callbacks.find((c) => c.type === 4)
  if (immediate) {
    const content = String(immediate.data?.content ?? '')
    return { text: content, links: linksOf(immediate.data?.components) }
  }
  const followUps = [...world.discord.messages.values()].filter(
    (m) => m.interactionToken === interaction.token && m.content.trim() !== '',
  )
  const last = followUps.at(-1)
  return last ? { text: last.content, links: linksOf(last.components) } : undefined
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

/** Polls `check` until it returns a value; rejects after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => T | undefined | null | false,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Async variant of `waitUntil`. */
export async function waitUntilAsync<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
