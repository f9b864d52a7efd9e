import type { Readable, Writable } from 'node:stream'
import type { Logger as PinoLogger } from 'pino'
import { runConsoleChat } from '../../bots/console/console-chat.js'
import { ollamaOperatorMessages } from '../../bots/console/ollama-check.js'
import type { Config } from '../config.js'
import { consoleUserId } from '../console-user.js'
import type { ChatCore } from '../core/chat-core.js'

export interface TerminalChat {
  /** Resolves when the terminal chat ended (never, without one). */
  readonly ended: Promise<void>
  stop(): void
}

/** The terminal chat on the given streams (no bot token and an interactive terminal). */
export function openTerminalChat(
  io: { readonly input: Readable; readonly output: Writable } | undefined,
  core: ChatCore,
  log: PinoLogger,
  fileDir: string,
  config: Pick<Config, 'CONSOLE_ADMIN' | 'OLLAMA_HOSTS' | 'OLLAMA_MODEL'>,
): TerminalChat {
  if (!io) return { ended: new Promise<void>(() => {}), stop: () => {} }
  const consoleStop = new AbortController()
  const ended = runConsoleChat(
    { core, log },
    {
      input: io.input,
      output: io.output,
      userId: consoleUserId(),
      signal: consoleStop.signal,
      fileDir,
      adultAllowed: config.CONSOLE_ADMIN,
      operatorMessages: ollamaOperatorMessages(config.OLLAMA_HOSTS, config.OLLAMA_MODEL),
      banner:
        'No Discord or Telegram token is configured, so here is the terminal chat.\n' +
        'Connect the bots by setting DISCORD_TOKEN or TELEGRAM_BOT_TOKEN in .env (see README).',
    },
  ).catch((err: unknown) => {
    log.error({ err }, 'terminal chat failed')
  })
  return { ended, stop: () => consoleStop.abort() }
}
