import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { ChatCore, CommandInvocation, CommandIo } from '../../src/core/chat-core.js'
import type { CommandReply } from '../../src/core/command.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { InboundMessage, ReplyEvent } from '../../src/core/types.js'
import { userMessageFor } from '../shared/user-messages.js'

export interface ConsoleChatDeps {
  readonly core: ChatCore
  readonly log: Logger
}

export interface ConsoleChatOptions {
  /** Lines typed by the person (process.stdin in the terminal). */
  readonly input: Readable
  /** Where replies are written (process.stdout in the terminal). */
  readonly output: Writable
  /** The platform user id: the OS user name in the terminal. */
  readonly userId: string
  readonly displayName?: string | undefined
  /** A persona to switch to before the first line (`--persona`). */
  readonly persona?: string | undefined
  /** Printed once at start (e.g. how to connect Discord or Telegram). */
  readonly banner?: string | undefined
  /** Where files from commands (/export, /persona export) are saved; default the working dir. */
  readonly fileDir?: string | undefined
  /** Aborting ends the chat (shutdown): no more lines are read; the current reply is stopped. */
  readonly signal?: AbortSignal | undefined
}

const QUIT = new Set(['/quit', '/exit', '/q'])

/**
 * A terminal adapter over `ChatCore`: platform `console`, a direct chat, adult content not
 * allowed. Lines starting with `/` run commands (`/name args`); others talk to the persona
 * with streamed output. `/stop` works while a reply streams. Resolves when the input ends or
 * the person types /quit; never throws for what a person types.
 */
export async function runConsoleChat(
  deps: ConsoleChatDeps,
  options: ConsoleChatOptions,
): Promise<void> {
  const { core, log } = deps
  const out = options.output
  const write = (text: string) => {
    out.write(text)
  }
  const base = {
    platform: 'console' as const,
    platformUserId: options.userId,
    displayName: options.displayName ?? options.userId,
    chatId: options.userId,
    chatKind: 'direct' as const,
    adultAllowed: false,
  }

  const render = async (events: AsyncIterable<ReplyEvent>): Promise<void> => {
    let open = false
    for await (const event of events) {
      switch (event.type) {
        case 'accepted':
          write(`${event.persona.name}: `)
          open = true
          break
        case 'queued':
          write(`(waiting: ${event.position} ahead) `)
          break
        case 'loading':
          write('(loading the model…) ')
          break
        case 'delta':
          write(event.text)
          break
        case 'done':
          write('\n')
          open = false
          break
        case 'error':
          write(`${open ? '\n' : ''}! ${userMessageFor(event.error)}\n`)
          open = false
          break
        default:
          break
      }
    }
    if (open) write('\n')
  }

  const showReply = async (reply: CommandReply): Promise<void> => {
    write(`${reply.text}\n`)
    for (const link of reply.links ?? []) write(`  ${link.label}: ${link.url}\n`)
    for (const action of reply.actions ?? []) {
      write(`  [${action.label}] → /${action.command} ${Object.values(action.args).join(' ')}\n`)
    }
    if (reply.file) {
      const dir = options.fileDir ?? process.cwd()
      const safeName = reply.file.name.replace(/[^\w.-]/g, '_')
      const path = join(dir, safeName)
      try {
        await mkdir(dir, { recursive: true })
        await writeFile(path, reply.file.content, 'utf8')
        write(`  Saved ${path}\n`)
      } catch (err) {
        log.warn({ err, path }, 'could not save a command file')
        write(`  Could not save ${safeName}: ${err instanceof Error ? err.message : String(err)}\n`)
      }
    }
  }

  const io: CommandIo = { reply: showReply, stream: render }

  const runCommand = async (line: string): Promise<void> => {
    const m = /^\/([^\s@]+)(?:@\S+)?\s*([\s\S]*)$/.exec(line)
    const name = (m?.[1] ?? '').toLowerCase()
    const invocation: CommandInvocation = {
      ...base,
      isChatAdmin: true,
      name,
      args: core.parseArgs(name, m?.[2] ?? ''),
    }
    await core.runCommand(invocation, io)
  }

  const talk = async (text: string): Promise<void> => {
    const message: InboundMessage = { ...base, text, addressed: true }
    // The signal, not only core.stop(): a stop just after the line was read comes before the
    // core knows the reply, and would find nothing to stop.
    await render(core.reply(message, options.signal))
  }

  if (options.banner) write(`${options.banner}\n`)
  if (options.persona) await runCommand(`/persona ${options.persona}`)
  write('Type a message, /help for commands, /quit to leave.\n')

  const lines = createInterface({
    input: options.input,
    crlfDelay: Number.POSITIVE_INFINITY,
    terminal: false,
  })
  const queue: string[] = []
  let wake: (() => void) | undefined
  let ended = false
  lines.on('line', (raw) => {
    const line = raw.trim()
    if (line.toLowerCase() === '/stop') {
      // Handled at once so it can interrupt the reply being streamed.
      void core.stop('console', options.userId).then((stopped) => {
        if (!stopped) write('Nothing to stop.\n')
      })
      return
    }
    queue.push(line)
    wake?.()
  })
  lines.on('close', () => {
    ended = true
    wake?.()
  })

  const onAbort = () => {
    ended = true
    queue.length = 0
    void core.stop('console', options.userId)
    wake?.()
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) onAbort()

  try {
    while (true) {
      const line = queue.shift()
      if (line === undefined) {
        if (ended) break
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
        continue
      }
      if (line === '') continue
      if (QUIT.has(line.toLowerCase())) break
      try {
        if (line.startsWith('/')) await runCommand(line)
        else await talk(line)
      } catch (err) {
        log.error({ err }, 'console chat line failed')
        write('! Something went wrong; it has been logged.\n')
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    lines.close()
  }
}
