import type { CommandDescriptor, CommandInvocation, CommandIo } from './chat-core.js'
import type { Command, CommandReply } from './command.js'
import type { CommandServices } from './command-services.js'
import { AppError } from './errors.js'
import { sanitizeInput } from './input.js'
import type { Clock } from './ports/clock.js'
import type { Logger } from './ports/logger.js'
import { BLOCKED_REFUSAL, type Rules } from './rules.js'

export interface CommandRunnerDeps {
  readonly services: CommandServices
  readonly rules: Rules
  readonly commands: readonly Command<CommandServices>[]
  readonly log: Logger
  readonly now: Clock
}

const FEATURE_NAMES = { billing: 'Subscriptions', email: 'Email verification' } as const

/** Splits command text into the command's options in order; the last option takes the rest. */
export function parseCommandArgs(
  command: Command<CommandServices> | undefined,
  text: string,
): Record<string, string | undefined> {
  const options = command?.options ?? []
  const out: Record<string, string | undefined> = {}
  let rest = sanitizeInput(text).trim()
  options.forEach((option, i) => {
    if (rest === '') return
    if (i === options.length - 1) {
      out[option.name] = rest
      rest = ''
      return
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(rest)
    out[option.name] = m?.[1]
    rest = m?.[2] ?? ''
  })
  return out
}

/** What adapters need to know about each command (names, options, permission), with defaults. */
export function commandDescriptors(
  commands: readonly Command<CommandServices>[],
): readonly CommandDescriptor[] {
  return commands.map((c) => ({
    name: c.name,
    description: c.description,
    options: c.options ?? [],
    permission: c.permission ?? 'everyone',
    slow: c.slow ?? false,
  }))
}

/** Dispatches invocations to commands: permissions, missing subsystems and failures are answered. */
export class CommandRunner {
  readonly #deps: CommandRunnerDeps
  readonly #byName: Map<string, Command<CommandServices>>
  readonly descriptors: readonly CommandDescriptor[]

  constructor(deps: CommandRunnerDeps) {
    this.#deps = deps
    this.#byName = new Map(deps.commands.map((c) => [c.name, c]))
    this.descriptors = commandDescriptors(deps.commands)
  }

  parseArgs(name: string, text: string): Record<string, string | undefined> {
    return parseCommandArgs(this.#byName.get(name.toLowerCase()), text)
  }

  /** Never throws. */
  async run(invocation: CommandInvocation, io: CommandIo): Promise<void> {
    const { services, rules, log, now } = this.#deps
    const name = invocation.name.toLowerCase().replace(/^\//, '')
    const clog = log.child({ command: name, platform: invocation.platform })
    const reply = async (r: CommandReply | string) => {
      await io.reply(typeof r === 'string' ? { text: r } : r)
    }
    try {
      const command = this.#byName.get(name)
      if (!command) {
        await reply({ text: `I don't know the command /${name}. Try /help.`, ephemeral: true })
        return
      }
      if (command.requires === 'billing' && !services.billing && !services.stars) {
        await reply({
          text: `${FEATURE_NAMES.billing} are not enabled on this server.`,
          ephemeral: true,
        })
        return
      }
      if (command.requires === 'email' && !services.verification) {
        await reply({
          text: `${FEATURE_NAMES.email} is not enabled on this server.`,
          ephemeral: true,
        })
        return
      }
      const speaker = await rules.speaker(
        invocation.platform,
        invocation.platformUserId,
        invocation.displayName,
        invocation.handle,
      )
      const verdict = await rules.blockVerdict(speaker)
      if (verdict === 'ignore') {
        clog.info({ accountId: speaker.account.id }, 'command of a blocked person ignored')
        return
      }
      if (verdict === 'refuse') {
        clog.info({ accountId: speaker.account.id }, 'blocked person refused once')
        await reply({ text: BLOCKED_REFUSAL, ephemeral: true })
        return
      }
      const permission = command.permission ?? 'everyone'
      if (permission === 'admin' && !speaker.isAdmin) {
        await reply({ text: `/${name} is for bot admins only.`, ephemeral: true })
        return
      }
      if (permission === 'chat_admin' && !invocation.isChatAdmin && !speaker.isAdmin) {
        await reply({ text: `/${name} is for admins of this chat only.`, ephemeral: true })
        return
      }
      const args: Record<string, string | undefined> = {}
      for (const [k, v] of Object.entries(invocation.args)) {
        const clean = v === undefined ? undefined : sanitizeInput(v).trim()
        args[k] = clean === '' ? undefined : clean
      }
      await command.run({
        caller: {
          platform: invocation.platform,
          platformUserId: invocation.platformUserId,
          displayName: invocation.displayName,
          chatId: invocation.chatId,
          chatKind: invocation.chatKind,
          adultAllowed: invocation.adultAllowed,
          isChatAdmin: invocation.isChatAdmin,
          account: speaker.account,
          isAdmin: speaker.isAdmin,
          tier: speaker.tier,
        },
        args,
        services,
        log: clog,
        now: now(),
        reply,
        stream: (events) => io.stream(events),
      })
    } catch (err) {
      const noPersonas = err instanceof AppError && err.code === 'PERSONA_NOT_FOUND'
      if (noPersonas) clog.warn('command needs a persona but none are loaded')
      else clog.error({ err }, 'command failed')
      try {
        await reply({
          text: noPersonas
            ? 'No personas are loaded on this server yet. An admin should check PERSONAS_DIR.'
            : `Something went wrong running /${name}. It has been logged; please try again.`,
          ephemeral: true,
        })
      } catch (replyErr) {
        clog.warn({ err: replyErr }, 'could not answer a failed command')
      }
    }
  }
}
