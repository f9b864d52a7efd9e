import { join } from 'node:path'
import { Registry } from 'prom-client'
import {
  createTelegramBot,
  type TelegramBot,
  type TelegramBotOptions,
} from '../../../../bots/telegram/telegram-bot.js'
import type { RunningChatCore } from '../../../../src/core/create-chat-core.js'
import { createLlmGateway } from '../../../../src/llm/create-llm-gateway.js'
import { FilePersonaRepository } from '../../../../src/personas/file-persona-repository.js'
import type { DatabaseHandle } from '../../../../src/storage/create-database.js'
import { createSqlStores } from '../../../../src/storage/sql-stores.js'
import type { OllamaDouble } from '../../../doubles/ollama-double.js'
import type { TelegramApiDouble } from '../../../doubles/telegram-double.js'
import { createAdapterTestCore } from '../../../helpers/adapter-test-core.js'
import { startTestReplica, type TestReplica } from '../../../helpers/coordination.js'
import { silentLogger } from '../../../helpers/logger.js'
import { MODEL } from './harness.js'

/** One "process" of a replica set: its own core, LLM gateway, membership and grammY bot. */
export interface ReplicaStack {
  readonly replica: TestReplica
  readonly core: RunningChatCore
  readonly bot: TelegramBot
  /** Drains as the platform does: intake off, replies finish or are cut, then the bot stops. */
  stop(graceMs?: number): Promise<void>
}

/** Starts one replica on a shared database against shared doubles. */
export async function startReplicaStack(
  database: DatabaseHandle,
  doubles: { telegram: TelegramApiDouble; ollama: OllamaDouble },
  options: Partial<TelegramBotOptions> & { timeoutMs?: number } = {},
): Promise<ReplicaStack> {
  const log = silentLogger()
  const replica = await startTestReplica(database, options.timeoutMs ?? 3_000)
  const llm = createLlmGateway(
    { log, registry: new Registry() },
    {
      hosts: [doubles.ollama.url],
      defaultModel: MODEL,
      concurrency: 8,
      maxQueue: 100,
      autoPull: false,
      firstTokenTimeoutMs: 20_000,
      idleTimeoutMs: 20_000,
      totalTimeoutMs: 60_000,
      replyCacheMaxKeys: 0,
    },
  )
  const personas = new FilePersonaRepository(
    { log },
    { dir: join(import.meta.dirname, '../../../../personas'), defaultModel: MODEL },
  )
  await personas.reload()
  const core = createAdapterTestCore({
    stores: createSqlStores(database.db),
    llm,
    personas,
    log,
    model: MODEL,
  })
  const bot = createTelegramBot(
    { core, log, coordination: replica },
    {
      token: doubles.telegram.token,
      apiRoot: doubles.telegram.apiRoot,
      webhook: false,
      publicUrl: 'https://bots.example.com',
      privateEditIntervalMs: 100,
      groupEditsPerMinute: 600,
      stopGraceMs: 2_000,
      ...options,
    },
  )
  await bot.start()
  let stopped: Promise<void> | undefined
  return {
    replica,
    core,
    bot,
    stop(graceMs = 2_000) {
      stopped ??= (async () => {
        await replica.membership.setDraining()
        await bot.stopIntake()
        await core.close(graceMs)
        await bot.stop()
        await llm.close()
        await replica.close()
      })()
      return stopped
    },
  }
}
