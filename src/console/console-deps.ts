import type { ReplicaInfo } from '../coordination/ports.js'
import type { ChatCore } from '../core/chat-core.js'
import type { LlmHostHealth } from '../core/ports/llm.js'
import type { Logger } from '../core/ports/logger.js'
import type { EntitlementReader } from '../core/ports/services.js'
import type { ComponentHealth } from '../core/types.js'
import type { FilePersonaRepository } from '../personas/file-persona-repository.js'
import type { SqlConsoleReports } from '../storage/sql-console-reports.js'
import type { SqlStores } from '../storage/sql-stores.js'
import type { ConsoleAccess } from './console-access.js'
import type { LiveSampler } from './live-sampler.js'

/** Everything the console's routes use, built once in the composition root. */
export interface ConsoleDeps {
  readonly access: ConsoleAccess
  readonly reports: SqlConsoleReports
  readonly stores: Pick<SqlStores, 'accounts' | 'subscriptions' | 'stars' | 'blocks' | 'audit'>
  readonly entitlements: EntitlementReader
  /** Complimentary premium: grant extends, revoke takes days back. */
  readonly grants: {
    grant(accountId: string, days: number, now: number): Promise<{ until: number }>
    revoke(accountId: string, days: number, now: number): Promise<{ until: number }>
  }
  readonly personas: FilePersonaRepository
  /** The same core the bots talk to (the browser test chat). */
  readonly core: ChatCore
  readonly sampler: LiveSampler
  readonly health: () => Promise<readonly ComponentHealth[]>
  readonly llmHealth: () => Promise<readonly LlmHostHealth[]>
  /** The live processes sharing the database and the leases each holds. */
  readonly replicas: () => Promise<readonly ReplicaInfo[]>
  readonly log: Logger
  readonly now: () => number
}

export interface ConsoleOptions {
  /** PUBLIC_URL without a trailing slash; its origin is the only one allowed to post. */
  readonly publicUrl: string
  /** CONSOLE_SESSION_HOURS in milliseconds. */
  readonly sessionMs: number
}
