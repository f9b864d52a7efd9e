import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CommandReply } from '../../src/core/command.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { ReplyEvent, UserFacingError } from '../../src/core/types.js'
import { fileBytes } from '../shared/file-bytes.js'
import { userMessageFor } from '../shared/user-messages.js'

/** Words for the operator at their own terminal; undefined: use the words a person sees. */
export type OperatorMessages = (error: UserFacingError) => string | undefined

export interface ConsoleOutputOptions {
  readonly write: (text: string) => void
  readonly log: Logger
  /** Where files from commands are saved (`DATA_DIR/exports`). */
  readonly fileDir: string
  readonly operatorMessages?: OperatorMessages | undefined
}

/** Writes streamed replies and command answers to the terminal; saves command files. */
export class ConsoleOutput {
  readonly #o: ConsoleOutputOptions
  /** The buttons of the last command answer, numbered from 1 (typing the number picks one). */
  choices: readonly {
    readonly command: string
    readonly args: Readonly<Record<string, string>>
  }[] = []

  constructor(options: ConsoleOutputOptions) {
    this.#o = options
  }

  errorText(error: UserFacingError): string {
    return this.#o.operatorMessages?.(error) ?? userMessageFor(error)
  }

  async render(events: AsyncIterable<ReplyEvent>): Promise<void> {
    const write = this.#o.write
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
          write(`${open ? '\n' : ''}! ${this.errorText(event.error)}\n`)
          open = false
          break
        default:
          break
      }
    }
    if (open) write('\n')
  }

  async show(reply: CommandReply): Promise<void> {
    const write = this.#o.write
    write(`${reply.text}\n`)
    for (const link of reply.links ?? []) write(`  ${link.label}: ${link.url}\n`)
    const actions = reply.actions ?? []
    if (actions.length > 0) {
      this.choices = actions
      actions.forEach((action, i) => {
        const args = Object.values(action.args).join(' ')
        write(`  ${i + 1}. ${action.label}  (/${action.command}${args ? ` ${args}` : ''})\n`)
      })
      write('  Type a number to pick one.\n')
    }
    if (reply.file) await this.#save(reply.file)
  }

  async #save(file: NonNullable<CommandReply['file']>): Promise<void> {
    const dir = this.#o.fileDir
    const safeName = file.name.replace(/[^\w.-]/g, '_')
    const path = join(dir, safeName)
    try {
      await mkdir(dir, { recursive: true })
      await writeFile(path, fileBytes(file.content))
      this.#o.write(`  Saved ${path}\n`)
    } catch (err) {
      this.#o.log.warn({ err, path }, 'could not save a command file')
      this.#o.write(
        `  Could not save ${safeName}: ${err instanceof Error ? err.message : String(err)}\n`,
      )
    }
  }
}
