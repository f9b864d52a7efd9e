import { userInfo } from 'node:os'
import type { Readable, Writable } from 'node:stream'
import type { Logger as PinoLogger } from 'pino'
import { runConsoleChat } from '../../bots/console/console-chat.js'
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
): TerminalChat {
  if (!io) return { ended: new Promise<void>(() => {}), stop: () => {} }
  const consoleStop = new AbortController()
  const ended = runConsoleChat(
    { core, log },
    {
      input: io.input,
      output: io.output,
      userId: userInfo().username,
      signal: consoleStop.signal,
      fileDir,
      banner:
        'No Discord or Telegram token is configured, so here is the terminal chat.\n' +
        'Connect the bots by setting DISCORD_TOKEN or TELEGRAM_BOT_TOKEN in .env (see README). /quit to leave.',
    },
  ).catch((err: unknown) => {
    log.error({ err }, 'terminal chat failed')
  })
  return { ended, stop: () => consoleStop.abort() }
}
