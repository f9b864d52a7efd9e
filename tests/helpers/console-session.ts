import { PassThrough } from 'node:stream'
import {
  type ConsoleChatDeps,
  type ConsoleChatOptions,
  runConsoleChat,
} from '../../bots/console/console-chat.js'

/** The terminal chat running on in-memory streams: type lines, read what it printed. */
export interface ConsoleSession {
  readonly input: PassThrough
  /** Resolves when the chat ended (input closed, /quit or its signal). */
  readonly done: Promise<void>
  /** Everything printed so far. */
  text(): string
  /** Types `line` and resolves with what was printed after it once that shows `until`. */
  say(line: string, until: string | RegExp): Promise<string>
  /** Ends the input and waits for the chat to end. */
  close(): Promise<void>
}

export function startConsoleSession(
  deps: ConsoleChatDeps,
  options: Omit<ConsoleChatOptions, 'input' | 'output'>,
): ConsoleSession {
  const input = new PassThrough()
  const sink = new PassThrough()
  const output: string[] = []
  sink.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const done = runConsoleChat(deps, { ...options, input, output: sink })
  const text = () => output.join('')
  return {
    input,
    done,
    text,
    async say(line, until) {
      const before = text().length
      input.write(`${line}\n`)
      await waitFor(() => {
        const after = text().slice(before)
        return typeof until === 'string' ? after.includes(until) : until.test(after)
      })
      return text().slice(before)
    },
    async close() {
      input.end()
      await done
    },
  }
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const start = Date.now()
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
