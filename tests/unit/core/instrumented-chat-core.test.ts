import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { ChatCore, CommandInvocation } from '../../../src/core/chat-core.js'
import { instrumentChatCore } from '../../../src/wiring/instrumented-chat-core.js'

/** A core that serves `/help` and `/status` and answers every other name with a message. */
function coreWith(ran: string[]): ChatCore {
  const descriptor = (name: string) => ({
    name,
    description: name,
    options: [],
    permission: 'everyone' as const,
  })
  return {
    commands: [descriptor('help'), descriptor('status')],
    reply: async function* () {},
    runCommand: async (invocation) => {
      ran.push(invocation.name)
    },
    parseArgs: () => ({}),
    autocomplete: async () => [],
    stop: async () => false,
  }
}

function invocation(name: string): CommandInvocation {
  return {
    platform: 'telegram',
    platformUserId: '1',
    displayName: 'someone',
    chatId: '1',
    chatKind: 'direct',
    adultAllowed: false,
    isChatAdmin: false,
    name,
    args: {},
  }
}

async function commandSeries(registry: Registry): Promise<{ command: string; value: number }[]> {
  const metric = await registry.getSingleMetric('justlayme_commands_total')?.get()
  return (metric?.values ?? []).map((v) => ({
    command: String(v.labels.command),
    value: v.value,
  }))
}

describe('instrumentChatCore', () => {
  it('labels known commands by name and every made-up one as unknown', async () => {
    const ran: string[] = []
    const registry = new Registry()
    const core = instrumentChatCore(coreWith(ran), registry)
    const io = { reply: async () => {}, stream: async () => {} }
    await core.runCommand(invocation('help'), io)
    await core.runCommand(invocation('status'), io)
    const before = (await commandSeries(registry)).length

    for (let i = 0; i < 10_000; i++) await core.runCommand(invocation(`made_up_${i}`), io)

    const series = await commandSeries(registry)
    expect(series).toHaveLength(before + 1)
    expect(series).toContainEqual({ command: 'unknown', value: 10_000 })
    expect(series).toContainEqual({ command: 'help', value: 1 })
    // The core still sees (and answers) the name the person typed.
    expect(ran).toHaveLength(10_002)
    expect(ran.at(-1)).toBe('made_up_9999')
  })
})
