import { Counter, type Registry } from 'prom-client'
import type { ChatCore } from '../core/chat-core.js'
import type { InboundMessage, ReplyEvent } from '../core/types.js'

/**
 * Wraps a ChatCore so every handled message is counted on `/metrics`
 * (`justlayme_messages_handled_total{platform,outcome}`), without the core knowing prom-client.
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
      commands.inc({ platform: invocation.platform, command: invocation.name })
      return core.runCommand(invocation, io)
    },
    parseArgs: (name, text) => core.parseArgs(name, text),
    autocomplete: (source, query, where) => core.autocomplete(source, query, where),
    stop: (platform, userId) => core.stop(platform, userId),
    ...(core.open ? { open: core.open.bind(core) } : {}),
  }
}
