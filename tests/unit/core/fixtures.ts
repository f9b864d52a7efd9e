import { commands } from '../../../commands/index.js'
import type { CommandInvocation, CommandIo } from '../../../src/core/chat-core.js'
import type { CommandReply } from '../../../src/core/command.js'
import {
  type ChatCoreOptions,
  createChatCore,
  type RunningChatCore,
} from '../../../src/core/create-chat-core.js'
import { AppError } from '../../../src/core/errors.js'
import type { Persona, PersonaRepository } from '../../../src/core/persona.js'
import type {
  LlmChatRequest,
  LlmClient,
  LlmEvent,
  LlmHostHealth,
} from '../../../src/core/ports/llm.js'
import type { ReplicaDirectory } from '../../../src/core/ports/replicas.js'
import type {
  BillingService,
  Entitlement,
  EntitlementReader,
  GrantService,
  VerificationService,
} from '../../../src/core/ports/services.js'
import type { Stores } from '../../../src/core/ports/stores.js'
import type { InboundMessage, ReplyEvent, Tier } from '../../../src/core/types.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { createTestDatabase } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'

/** A persona built from plain fields; everything else has neutral defaults. */
export function makePersona(fields: Partial<Persona> & { id: string }): Persona {
  return {
    name: fields.id[0]?.toUpperCase() + fields.id.slice(1),
    description: `${fields.id} description`,
    personality: '',
    scenario: '',
    greeting: `Hello {{user}}, I am {{char}}.`,
    alternateGreetings: [],
    exampleDialogues: '',
    systemPrompt: '',
    postHistoryInstructions: '',
    creatorNotes: '',
    lore: [],
    loreScanDepth: 4,
    loreTokenBudget: 500,
    options: {},
    think: false,
    tier: 'free',
    nsfw: false,
    exportable: true,
    tags: [],
    sourceFile: `${fields.id}.yaml`,
    raw: {},
    ...fields,
  }
}

/** A PersonaRepository over plain objects (stable order = array order). */
export function memoryPersonas(list: Persona[]): PersonaRepository & { reloads: number } {
  const repo = {
    reloads: 0,
    list: () => list,
    get: (id: string) => list.find((p) => p.id === id),
    find: (q: string) =>
      list.find((p) => p.id === q) ?? list.find((p) => p.name.toLowerCase() === q.toLowerCase()),
    reload: async () => {
      repo.reloads++
      return {
        loaded: list.length,
        errors: [{ file: 'broken.json', message: 'data.name missing' }],
      }
    },
    exportCard: (id: string) => {
      const p = list.find((x) => x.id === id)
      return p ? { spec: 'chara_card_v3', spec_version: '3.0', data: { name: p.name } } : undefined
    },
  }
  return repo
}

export type ScriptedReply = (req: LlmChatRequest) => AsyncIterable<LlmEvent>

/** An in-process LlmClient whose replies tests script; records every request. */
export class FakeLlm implements LlmClient {
  readonly requests: LlmChatRequest[] = []
  contextLength: number | null = 8192
  hosts: LlmHostHealth[] = []
  script: ScriptedReply = (req) => words(`echo ${lastUser(req)}`, req)

  chat(request: LlmChatRequest): AsyncIterable<LlmEvent> {
    this.requests.push(request)
    return this.script(request)
  }
  async modelInfo() {
    return { contextLength: this.contextLength }
  }
  async health() {
    return this.hosts
  }
}

export function lastUser(req: LlmChatRequest): string {
  return [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
}

/** Streams `text` word by word, then done. */
export async function* words(
  text: string,
  req: LlmChatRequest,
  opts: { promptTokens?: number; gate?: Promise<void> } = {},
): AsyncGenerator<LlmEvent> {
  yield { type: 'started', model: req.model, host: 'fake' }
  const parts = text.split(/(?<= )/)
  for (const [i, part] of parts.entries()) {
    if (req.signal?.aborted) throw new AppError('CANCELLED', 'cancelled')
    yield { type: 'delta', text: part }
    if (i === 0 && opts.gate !== undefined) {
      if (req.signal?.aborted) throw new AppError('CANCELLED', 'cancelled')
      await Promise.race([
        opts.gate,
        new Promise<void>((_, reject) =>
          req.signal?.addEventListener('abort', () =>
            reject(new AppError('CANCELLED', 'cancelled')),
          ),
        ),
      ])
    }
  }
  yield {
    type: 'done',
    text,
    model: req.model,
    host: 'fake',
    fallbackUsed: false,
    promptTokens: opts.promptTokens ?? realisticPromptTokens(req),
    completionTokens: parts.length,
    totalDurationMs: 1,
    tokensPerSecond: 100,
    cached: false,
  }
}

/** What Ollama would report for this prompt with a tokenizer of ~4 chars per token. */
export function realisticPromptTokens(req: LlmChatRequest): number {
  const chars = req.messages.reduce((n, m) => n + m.content.length, 0)
  return Math.ceil(chars / 4) + req.messages.length * 4
}

export class FixedEntitlements implements EntitlementReader {
  readonly tiers = new Map<string, Tier>()
  async entitlement(accountId: string): Promise<Entitlement> {
    const tier = this.tiers.get(accountId) ?? 'free'
    return tier === 'premium'
      ? { tier, source: 'grant', until: Date.UTC(2030, 0, 1), status: null }
      : { tier, source: 'none', until: null, status: null }
  }
}

export class RecordingGrants implements GrantService {
  readonly calls: { accountId: string; days: number }[] = []
  async grant(accountId: string, days: number, now: number) {
    this.calls.push({ accountId, days })
    return { until: now + days * 86_400_000 }
  }
}

export class FakeBilling implements BillingService {
  refunds: { amount: number; currency: string } | null = { amount: 999, currency: 'eur' }
  async subscribeLink(accountId: string) {
    return `http://localhost/subscribe/${accountId}`
  }
  async billingLink(accountId: string) {
    return accountId === 'none' ? null : `http://localhost/billing/${accountId}`
  }
  async refundLatest() {
    return this.refunds
  }
}

export class FakeVerification implements VerificationService {
  async start(_accountId: string, email: string) {
    if (!email.includes('@')) return { status: 'invalid_email' as const }
    return { status: 'sent' as const, email }
  }
}

export const DEFAULT_OPTIONS: ChatCoreOptions = {
  defaultModel: 'llama3.2',
  freeDailyMessages: 50,
  premiumDailyMessages: 1000,
  maxInputChars: 4000,
  freeContextTokens: 4096,
  premiumContextTokens: 16384,
  admins: [{ platform: 'console', platformUserId: 'root' }],
}

export interface Harness {
  readonly core: RunningChatCore
  readonly stores: Stores
  readonly llm: FakeLlm
  readonly personas: ReturnType<typeof memoryPersonas>
  readonly entitlements: FixedEntitlements
  readonly grants: RecordingGrants
  readonly clock: { now: number }
  readonly db: DatabaseHandle
  close(): Promise<void>
}

/** A core over real SQLite (:memory:) stores and a scripted LLM. */
export async function harness(
  opts: {
    personas?: Persona[]
    options?: Partial<ChatCoreOptions>
    billing?: BillingService
    verification?: VerificationService
    replicas?: ReplicaDirectory
    now?: number
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase('sqlite')
  const stores = createSqlStores(db.db)
  const llm = new FakeLlm()
  const personas = memoryPersonas(
    opts.personas ?? [makePersona({ id: 'nova' }), makePersona({ id: 'sage' })],
  )
  const entitlements = new FixedEntitlements()
  const grants = new RecordingGrants()
  const clock = { now: opts.now ?? Date.UTC(2026, 10, 26, 12, 0, 0) }
  const core = createChatCore(
    {
      stores,
      llm,
      personas,
      entitlements,
      grants,
      billing: opts.billing,
      verification: opts.verification,
      replicas: opts.replicas,
      commands,
      log: silentLogger(),
      now: () => clock.now,
    },
    { ...DEFAULT_OPTIONS, ...opts.options },
  )
  return {
    core,
    stores,
    llm,
    personas,
    entitlements,
    grants,
    clock,
    db,
    async close() {
      await core.close(0)
      await db.destroy()
    },
  }
}

export function dm(text: string, fields: Partial<InboundMessage> = {}): InboundMessage {
  return {
    platform: 'telegram',
    platformUserId: '42',
    displayName: 'Ann',
    chatId: '42',
    chatKind: 'direct',
    text,
    addressed: true,
    adultAllowed: false,
    ...fields,
  }
}

/** Ann in her Telegram DM, as a command caller (the person `dm()` messages come from). */
export const DM_CALLER: Omit<CommandInvocation, 'name' | 'args'> = {
  platform: 'telegram',
  platformUserId: '42',
  displayName: 'Ann',
  chatId: '42',
  chatKind: 'direct',
  adultAllowed: false,
  isChatAdmin: false,
}

export function group(text: string, fields: Partial<InboundMessage> = {}): InboundMessage {
  return dm(text, { chatId: '-100', chatKind: 'group', addressed: false, ...fields })
}

export async function collect(events: AsyncIterable<ReplyEvent>): Promise<ReplyEvent[]> {
  const out: ReplyEvent[] = []
  for await (const e of events) out.push(e)
  return out
}

/** A CommandIo that keeps every reply and drains streams. */
export function recordingIo(): CommandIo & { replies: CommandReply[]; streamed: ReplyEvent[][] } {
  const replies: CommandReply[] = []
  const streamed: ReplyEvent[][] = []
  return {
    replies,
    streamed,
    async reply(r) {
      replies.push(r)
    },
    async stream(events) {
      streamed.push(await collect(events))
    },
  }
}

export function errorCode(events: readonly ReplyEvent[]): string | undefined {
  const last = events.at(-1)
  return last?.type === 'error' ? last.error.code : undefined
}
