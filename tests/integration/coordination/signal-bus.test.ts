import { afterEach, describe, expect, it } from 'vitest'
import type { SignalBus } from '../../../src/coordination/ports.js'
import { LocalSignalBus, PgSignalBus } from '../../../src/coordination/signal-bus.js'

function nextSignal(bus: SignalBus, channel: string): Promise<string> {
  return new Promise((resolve) => {
    const off = bus.subscribe(channel, (payload) => {
      off()
      resolve(payload)
    })
  })
}

describe('the in-process signal bus', () => {
  it('delivers to subscribers of the channel only, until they unsubscribe', async () => {
    const bus = new LocalSignalBus()
    const seen: string[] = []
    const off = bus.subscribe('stop', (p) => seen.push(`stop:${p}`))
    bus.subscribe('settings', (p) => seen.push(`settings:${p}`))
    await bus.publish('stop', '1')
    off()
    await bus.publish('stop', '2')
    await bus.publish('settings', 'x')
    expect(seen).toEqual(['stop:1', 'settings:x'])
    await bus.close()
  })
})

const url = process.env.TEST_DATABASE_URL
describe.skipIf(!url)('the PostgreSQL signal bus', () => {
  const buses: SignalBus[] = []
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })
  const open = (schema: string) => {
    const bus = new PgSignalBus({ connectionString: url ?? '', schema })
    buses.push(bus)
    return bus
  }

  it('carries a signal from one process-like bus to another in the same schema only', async () => {
    const schema = `sig_${Date.now().toString(36)}`
    const sender = open(schema)
    const receiver = open(schema)
    const stranger = open(`${schema}_other`)
    const heardByStranger: string[] = []
    stranger.subscribe('stop', (p) => heardByStranger.push(p))
    const received = nextSignal(receiver, 'stop')
    const echoed = nextSignal(sender, 'stop')
    // LISTEN is issued asynchronously; keep publishing until the receiver hears one.
    let payload = ''
    const timer = setInterval(() => void sender.publish('stop', 'reply-42'), 50)
    try {
      payload = await received
      expect(await echoed).toBe('reply-42')
    } finally {
      clearInterval(timer)
    }
    expect(payload).toBe('reply-42')
    expect(heardByStranger).toEqual([])
  })
})
