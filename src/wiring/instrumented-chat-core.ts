import { Counter, type Registry } from 'prom-client'
import type { ChatCore } from '../core/chat-core.js'
import type { InboundMessage, ReplyEvent } from '../core/types.js'

/** The label for every command name the core does not serve (typos, made-up names). */
export const UNKNOWN_COMMAND = 'unknown'

/**
 * Wraps a ChatCore so every handled message is counted on `/metrics`
 * (`justlayme_messages_handled_total{platform,outcome}`), without the core knowing prom-client.
 * Every label comes from a closed set: platforms, error codes and the core's own command
 * names; whatever else a person types is counted as `unknown`, so no input adds a series.
 */
export function instrumentChatCore(core: ChatCore, registry: Registry): ChatCore {
  const handled = new Counter({
    name: 'justlayme_messages_handled_total',
    help: 'Chat messages answered by the core, by platform and outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  })
  const commands = new Counter({
    name: 'justlayme_commands_total',
    help: 'Chat commands run, by platform and command',
    labelNames: ['platform', 'command'] as const,
    registers: [registry],
  })
  const known = new Set(core.commands.map((c) => c.name))
  async function* counted(
    message: InboundMessage,
    signal?: AbortSignal,
  ): AsyncIterable<ReplyEvent> {
    let outcome = 'none'
    let answered = false
    try {
      for await (const event of core.reply(message, signal)) {
        answered = true
        if (event.type === 'done') outcome = 'done'
        else if (event.type === 'error') outcome = event.error.code.toLowerCase()
        yield event
      }
    } finally {
      // A message the core did not answer (no event) is not counted, as before it was asked.
      if (answered) handled.inc({ platform: message.platform, outcome })
    }
  }
  return {
    get commands() {
      return core.commands
    },
    reply: counted,
    runCommand: (invocation, io) => {
      const command = known.has(invocation.name) ? invocation.name : UNKNOWN_COMMAND
      commands.inc({ platform: invocation.platform, command })
      return core.runCommand(invocation, io)
    },
    parseArgs: (name, text) => core.parseArgs(name, text),
    autocomplete: (source, query, where) => core.autocomplete(source, query, where),
    stop: (platform, userId) => core.stop(platform, userId),
    ...(core.open ? { open: core.open.bind(core) } : {}),
  }
}
