import type { Logger } from '../core/ports/logger.js'
import type { LlmHost } from './llm-host.js'
import { sameModel } from './model-name.js'

export interface ModelSetupOptions {
  readonly requiredModels: readonly string[]
  readonly defaultModel: string
  readonly autoPull: boolean
  readonly preloadKeepAlive: string | number
}

/**
 * At start, per host: list installed models, log each missing one with the exact
 * `ollama pull` command (or pull it when auto-pull is on, logging progress), then preload the
 * default model in the background. Never throws; the returned promise settles when the
 * lists and pulls are done (preloads may still run, until `signal` aborts them).
 */
export async function setUpModels(
  deps: { hosts: readonly LlmHost[]; log: Logger; signal: AbortSignal },
  options: ModelSetupOptions,
): Promise<void> {
  const wanted = unique([options.defaultModel, ...options.requiredModels])
  await Promise.all(deps.hosts.map((host) => setUpHost(host, wanted, deps, options)))
}

async function setUpHost(
  host: LlmHost,
  wanted: readonly string[],
  deps: { log: Logger; signal: AbortSignal },
  options: ModelSetupOptions,
): Promise<void> {
  const { log, signal } = deps
  let installed: string[]
  try {
    installed = await host.models()
  } catch (err) {
    // One short line; the operator-facing advice comes from the start-up report, the stack
    // only at debug level.
    const reason = err instanceof Error ? err.message : String(err)
    log.warn({ host: host.name, reason }, 'llm host unreachable at start')
    log.debug({ host: host.name, err }, 'llm host unreachable at start (details)')
    return
  }
  const loaded = await host.loadedModels().catch(() => [])
  log.info({ host: host.name, models: installed, loaded }, 'llm host models')
  const missing = wanted.filter((m) => !installed.some((i) => sameModel(i, m)))
  for (const model of missing) {
    const command = pullCommand(host.name, model)
    if (!options.autoPull) {
      log.warn(
        { host: host.name, model, command },
        `model ${model} is missing on ${host.name}; install it with: ${command}`,
      )
      continue
    }
    if (await pull(host, model, log, signal)) {
      installed.push(model)
      host.markInstalled(model)
    }
  }
  if (!installed.some((m) => sameModel(m, options.defaultModel))) return
  const started = Date.now()
  host.client.preload(options.defaultModel, options.preloadKeepAlive, signal).then(
    () => {
      host.markLoaded(options.defaultModel)
      log.info(
        { host: host.name, model: options.defaultModel, ms: Date.now() - started },
        'llm default model loaded',
      )
    },
    (err: unknown) => {
      if (!signal.aborted) {
        log.warn({ host: host.name, model: options.defaultModel, err }, 'llm preload failed')
      }
    },
  )
}

async function pull(host: LlmHost, model: string, log: Logger, signal: AbortSignal) {
  log.info({ host: host.name, model }, `pulling ${model} on ${host.name}`)
  let lastStatus = ''
  let lastQuarter = -1
  try {
    await host.client.pull(
      model,
      (p) => {
        const quarter = p.total ? Math.floor(((p.completed ?? 0) / p.total) * 4) : -1
        if (p.status === lastStatus && quarter === lastQuarter) return
        lastStatus = p.status
        lastQuarter = quarter
        const percent = p.total ? Math.round(((p.completed ?? 0) / p.total) * 100) : undefined
        log.info({ host: host.name, model, status: p.status, percent }, 'llm pull progress')
      },
      signal,
    )
    log.info({ host: host.name, model }, `pulled ${model} on ${host.name}`)
    return true
  } catch (err) {
    log.error(
      { host: host.name, model, command: pullCommand(host.name, model), err },
      `pulling ${model} failed`,
    )
    return false
  }
}

/** The exact command an operator runs to install `model` on `host`. */
export function pullCommand(host: string, model: string): string {
  const local = /^https?:\/\/(127\.0\.0\.1|localhost):11434$/.test(host)
  return local ? `ollama pull ${model}` : `OLLAMA_HOST=${host} ollama pull ${model}`
}

function unique(models: readonly string[]): string[] {
  const out: string[] = []
  for (const m of models) if (m && !out.some((o) => sameModel(o, m))) out.push(m)
  return out
}
