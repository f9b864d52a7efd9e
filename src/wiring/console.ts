import type { Registry } from 'prom-client'
import { SubscriptionEntitlements } from '../billing/subscription-entitlements.js'
import type { Config } from '../config.js'
import { ConsoleAccess } from '../console/console-access.js'
import { consolePlugin } from '../console/console-plugin.js'
import { LiveSampler } from '../console/live-sampler.js'
import type { ReplicaInfo } from '../coordination/ports.js'
import type { ChatCore } from '../core/chat-core.js'
import type { LlmClient } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import type { ComponentHealth } from '../core/types.js'
import type { FilePersonaRepository } from '../personas/file-persona-repository.js'
import type { ServerPlugin } from '../server/app.js'
import type { DatabaseHandle } from '../storage/create-database.js'
import { SqlConsoleReports } from '../storage/sql-console-reports.js'
import { SqlConsoleSessionStore } from '../storage/sql-console-session-store.js'
import type { SqlStores } from '../storage/sql-stores.js'

const HOUR_MS = 3_600_000
/** How often premium membership is written to the daily series. */
const PREMIUM_SNAPSHOT_MS = 60_000

/** The console's sign-in (needed by `/admin console`, so built before the core). */
export function consoleAccessFrom(
  config: Config,
  parts: { database: DatabaseHandle; stores: SqlStores; linkSecret: string },
): ConsoleAccess {
  const admins = new Set(config.ADMINS.map((a) => `${a.platform}:${a.platformUserId}`))
  return new ConsoleAccess(
    {
      sessions: new SqlConsoleSessionStore(parts.database.db),
      kv: parts.stores.kv,
      audit: parts.stores.audit,
      linkSecret: parts.linkSecret,
      isAdmin: (admin) => admins.has(admin),
    },
    {
      publicUrl: config.PUBLIC_URL.replace(/\/+$/, ''),
      sessionMs: config.CONSOLE_SESSION_HOURS * HOUR_MS,
    },
  )
}

export interface ConsoleParts {
  readonly access: ConsoleAccess
  readonly database: DatabaseHandle
  readonly stores: SqlStores
  readonly registry: Registry
  readonly personas: FilePersonaRepository
  readonly llm: Pick<LlmClient, 'health'>
  readonly core: ChatCore
  readonly health: () => Promise<readonly ComponentHealth[]>
  readonly replicas: () => Promise<readonly ReplicaInfo[]>
  readonly log: Logger
}

export interface RunningConsole {
  readonly plugin: ServerPlugin
  stop(): void
}

/** The console's routes with a live sampler of the gateway metrics and the daily premium count. */
export function consoleFrom(config: Config, parts: ConsoleParts): RunningConsole {
  const { stores, log } = parts
  const now = Date.now
  const reports = new SqlConsoleReports(parts.database.db)
  const sampler = new LiveSampler(parts.registry)
  sampler.start()
  const snapshot = async () => {
    try {
      const [stripe, stars] = await Promise.all([
        stores.subscriptions.countActive(now()),
        stores.stars.countActive(now()),
      ])
      await reports.recordPremium(new Date(now()).toISOString().slice(0, 10), stripe + stars)
    } catch (err) {
      log.warn({ err }, 'could not record the premium member count')
    }
  }
  void snapshot()
  const timer = setInterval(() => void snapshot(), PREMIUM_SNAPSHOT_MS)
  timer.unref()
  const plugin = consolePlugin(
    {
      access: parts.access,
      reports,
      stores,
      entitlements: new SubscriptionEntitlements(
        { stores },
        { graceDays: config.BILLING_GRACE_DAYS },
      ),
      grants: new SubscriptionEntitlements({ stores }, { graceDays: config.BILLING_GRACE_DAYS }),
      personas: parts.personas,
      core: parts.core,
      sampler,
      health: parts.health,
      llmHealth: () => parts.llm.health(),
      replicas: parts.replicas,
      log: log.child({ component: 'console' }),
      now,
    },
    {
      publicUrl: config.PUBLIC_URL.replace(/\/+$/, ''),
      sessionMs: config.CONSOLE_SESSION_HOURS * HOUR_MS,
      defaultModel: config.OLLAMA_MODEL,
    },
  )
  return {
    plugin: { plugin },
    stop() {
      sampler.stop()
      clearInterval(timer)
    },
  }
}
