import type { MemoryWriter } from './memory-writer.js'
import type { ExportFiles } from './ports/export-files.js'
import type { LlmClient } from './ports/llm.js'
import type { Logger } from './ports/logger.js'
import type { ErasedData, Stores } from './ports/stores.js'
import type { ReplyEngine } from './reply-engine.js'
import type { Account } from './types.js'

export interface ForgetDeps {
  readonly engine: ReplyEngine
  readonly memory: MemoryWriter
  readonly stores: Pick<Stores, 'personalData' | 'transaction' | 'scrubDeleted'>
  readonly llm: LlmClient
  readonly exportFiles?: ExportFiles | undefined
  readonly log: Logger
}

/** What `/forget` removed, for the answer to the person. */
export interface ForgetOutcome extends ErasedData {
  /** Replies kept in memory (the response cache) that were built from the person's words. */
  readonly cachedReplies: number
  /** Export files saved under the data directory. */
  readonly files: number
}

/** How long `/forget` waits for the person's reply in flight to stop before deleting anyway. */
const SETTLE_MS = 10_000

/**
 * `/forget`: stops the account's replies and memory jobs, deletes everything keyed to it that
 * holds its words (`PersonalDataStore.erase`) in one transaction, drops cached replies and
 * export files, then scrubs the database files. A failed scrub is logged, never undone.
 */
export async function forgetAccount(deps: ForgetDeps, account: Account): Promise<ForgetOutcome> {
  const { engine, memory, stores, llm, log } = deps
  if (!(await engine.stopAndSettle(account.id, SETTLE_MS))) {
    log.warn({ accountId: account.id }, 'forget: a reply in flight did not stop in time')
  }
  const release = await memory.hold(await stores.personalData.conversationsOf(account.id))
  let erased: ErasedData
  try {
    erased = await stores.transaction((tx) => tx.personalData.erase(account.id, account.email))
  } finally {
    release()
  }
  const cachedReplies = llm.forgetUser?.(account.id) ?? 0
  let files = 0
  try {
    files = (await deps.exportFiles?.removeFor(account.id)) ?? 0
  } catch (err) {
    log.error({ err, accountId: account.id }, 'forget: could not remove export files')
  }
  try {
    const scrub = await stores.scrubDeleted()
    log.info({ accountId: account.id, ...erased, cachedReplies, files, scrub }, 'account forgotten')
  } catch (err) {
    log.error({ err, accountId: account.id }, 'forget: scrubbing the database files failed')
  }
  return { ...erased, cachedReplies, files }
}
