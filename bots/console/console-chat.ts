import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { ChatCore, CommandInvocation, CommandIo } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { shortenAtWord } from '../../src/core/shorten.js'
import type { InboundMessage } from '../../src/core/types.js'
import { ConsoleOutput, type OperatorMessages } from './console-output.js'

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
  /** Where files from commands (/export, /persona export) are saved (`DATA_DIR/exports`). */
  readonly fileDir: string
  /** Aborting ends the chat (shutdown): no more lines are read; the current reply is stopped. */
  readonly signal?: AbortSignal | undefined
  /**
   * Line editing (history, arrow keys, a prompt, long pasted lines whole). Default: when the
   * output is a TTY.
   */
  readonly terminal?: boolean | undefined
  /** Adult personas after `/settings adult yes` (the operator's own terminal). Default false. */
  readonly adultAllowed?: boolean | undefined
  /** Errors worded for the operator (how to start Ollama) instead of for a chat user. */
  readonly operatorMessages?: OperatorMessages | undefined
}

const QUIT = new Set(['/quit', '/exit', '/q'])

/**
 * A terminal adapter over `ChatCore`: platform `console`, a direct chat. It opens with the
 * persona's name, description and greeting; lines starting with `/` run commands
 * (`/name args`), a number picks from the last list shown, others talk to the persona with
 * streamed output. `/stop` (or Ctrl-C) stops a reply while it streams. Resolves when the input
 * ends or the person types /quit; never throws for what a person types.
 */
export async function runConsoleChat(
  deps: ConsoleChatDeps,
  options: ConsoleChatOptions,
): Promise<void> {
  const { core, log } = deps
  const write = (text: string) => {
    options.output.write(text)
  }
  const out = new ConsoleOutput({
    write,
    log,
    fileDir: options.fileDir,
    operatorMessages: options.operatorMessages,
  })
  const base = {
    platform: 'console' as const,
    platformUserId: options.userId,
    displayName: options.displayName ?? options.userId,
    chatId: options.userId,
    chatKind: 'direct' as const,
    adultAllowed: options.adultAllowed ?? false,
    isChatAdmin: true,
  }
  const io: CommandIo = { reply: (r) => out.show(r), stream: (e) => out.render(e) }
  let personaName = ''

  const runCommand = async (line: string): Promise<void> => {
    const m = /^\/([^\s@]+)(?:@\S+)?\s*([\s\S]*)$/.exec(line)
    const name = (m?.[1] ?? '').toLowerCase()
    let rest = m?.[2] ?? ''
    // `/persona 2` picks the second persona of the list the terminal showed.
    if (name === 'persona' && /^\d+$/.test(rest.trim())) rest = await personaByNumber(rest.trim())
    const invocation: CommandInvocation = { ...base, name, args: core.parseArgs(name, rest) }
    await core.runCommand(invocation, io)
    if (name === 'persona' || name === 'reset' || name === 'start') await refreshName()
  }

  const personaList = () =>
    core.autocomplete('personas', '', {
      platform: 'console',
      platformUserId: options.userId,
      chatId: options.userId,
      adultAllowed: base.adultAllowed,
    })
  const personaByNumber = async (n: string): Promise<string> =>
    (await personaList())[Number(n) - 1]?.value ?? n

  const refreshName = async (): Promise<void> => {
    if (!core.open) return
    try {
      personaName = (await core.open(base)).persona.name
    } catch (err) {
      log.warn({ err }, 'terminal chat could not read the active persona')
    }
  }

  /** Name, one-line description and greeting of the persona that answers, and who else there is. */
  const opening = async (): Promise<void> => {
    if (!core.open) return
    const opened = await core.open(base)
    personaName = opened.persona.name
    write(`\nYou are talking to ${opened.persona.name}`)
    write(opened.description ? ` — ${shortenAtWord(opened.description, 160)}\n` : '\n')
    write(
      opened.greeting
        ? `\n${opened.persona.name}: ${opened.greeting}\n\n`
        : '(Your conversation continues where you left it; /reset starts over.)\n\n',
    )
    const all = await personaList()
    if (all.length > 1) {
      const numbered = all.map((p, i) => `${i + 1} ${p.name}`).join(', ')
      write(`Personas: ${numbered}. Switch with /persona <number or name>.\n`)
    }
  }

  /** `--persona`: switches quietly (the opening shows who answers); refusals are shown. */
  const choosePersona = async (wanted: string): Promise<void> => {
    const id = /^\d+$/.test(wanted) ? await personaByNumber(wanted) : wanted
    const said: string[] = []
    await core.runCommand(
      { ...base, name: 'persona', args: core.parseArgs('persona', id) },
      { reply: async (r) => void said.push(r.text), stream: (e) => out.render(e) },
    )
    const text = said.join('\n')
    if (!/ now answers /.test(text)) write(`${text}\n`)
  }

  const talk = async (text: string): Promise<void> => {
    const message: InboundMessage = { ...base, text, addressed: true }
    // The signal, not only core.stop(): a stop just after the line was read comes before the
    // core knows the reply, and would find nothing to stop.
    await out.render(core.reply(message, options.signal))
  }

  const terminal = options.terminal ?? Boolean((options.output as { isTTY?: boolean }).isTTY)
  const lines = createInterface({
    input: options.input,
    output: terminal ? options.output : undefined,
    terminal,
    historySize: 200,
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  const prompt = () => {
    if (!terminal) return
    lines.setPrompt(`${personaName || 'you'}> `)
    lines.prompt()
  }

  const queue: string[] = []
  let wake: (() => void) | undefined
  let ended = false
  let busy = false
  const stopReply = () => {
    void core.stop('console', options.userId).then((stopped) => {
      if (!stopped) write('Nothing to stop.\n')
    })
  }
  lines.on('line', (raw) => {
    const line = raw.trim()
    if (line.toLowerCase() === '/stop') {
      // Handled at once so it can interrupt the reply being streamed.
      stopReply()
      return
    }
    queue.push(line)
    wake?.()
  })
  // Ctrl-C in line-editing mode: stops the reply being written, or leaves at the prompt.
  lines.on('SIGINT', () => {
    if (busy) stopReply()
    else lines.close()
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
    if (options.banner) write(`${options.banner}\n`)
    try {
      if (options.persona) await choosePersona(options.persona)
      await opening()
    } catch (err) {
      log.error({ err }, 'terminal chat could not open the conversation')
      write('! The conversation could not be opened; see the log.\n')
    }
    write('Type a message and press Enter. /help lists the commands, /quit leaves.\n')
    prompt()
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
      if (line === '') {
        prompt()
        continue
      }
      if (QUIT.has(line.toLowerCase())) break
      busy = true
      try {
        const choice = /^\d+$/.test(line) ? out.choices[Number(line) - 1] : undefined
        if (choice) {
          const args = Object.values(choice.args).join(' ')
          await runCommand(`/${choice.command}${args ? ` ${args}` : ''}`)
        } else if (line.startsWith('/')) await runCommand(line)
        else await talk(line)
      } catch (err) {
        log.error({ err }, 'console chat line failed')
        write('! Something went wrong; it has been logged.\n')
      } finally {
        busy = false
      }
      prompt()
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    lines.close()
  }
}
