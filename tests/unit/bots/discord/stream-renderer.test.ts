import { DiscordAPIError } from 'discord.js'
import { describe, expect, it } from 'vitest'
import { CustomIdCodec } from '../../../../bots/discord/custom-id.js'
import { EditScheduler } from '../../../../bots/discord/edit-scheduler.js'
import type { RenderTarget } from '../../../../bots/discord/render-target.js'
import type { OutgoingPart, ReplySurface } from '../../../../bots/discord/reply-surface.js'
import { renderReply } from '../../../../bots/discord/stream-renderer.js'
import type { PersonaSummary, ReplyEvent } from '../../../../src/core/types.js'
import { silentLogger } from '../../../helpers/logger.js'

const luna: PersonaSummary = { id: 'luna', name: 'Luna', tier: 'free', nsfw: false }

class RecordingSurface implements ReplySurface {
  readonly channelKey = 'c1'
  readonly header: string
  readonly messages = new Map<string, OutgoingPart>()
  readonly calls: string[] = []
  failWith: unknown = null
  #next = 0
  constructor(header = '') {
    this.header = header
  }
  async send(part: OutgoingPart): Promise<string> {
    if (this.failWith) throw this.failWith
    this.#next += 1
    const id = `m${this.#next}`
    this.messages.set(id, part)
    this.calls.push(`send ${id}`)
    return id
  }
  async edit(id: string, part: OutgoingPart): Promise<void> {
    this.messages.set(id, part)
    this.calls.push(`edit ${id}`)
  }
  contents(): string[] {
    return [...this.messages.values()].map((p) => p.content)
  }
  labels(id: string): string[] {
    return (this.messages.get(id)?.components ?? []).flatMap((row) =>
      row.components.map((b) => (b.toJSON() as { label?: string }).label ?? ''),
    )
  }
}

function target(surface: RecordingSurface) {
  const personas: (PersonaSummary | null)[] = []
  const permissionErrors: unknown[] = []
  const t: RenderTarget = {
    ownerId: 'u1',
    surfaceFor: async (persona) => {
      personas.push(persona)
      return surface
    },
    typing: async () => {},
    onPermissionError: async (err) => {
      permissionErrors.push(err)
    },
    onPosted: () => {},
  }
  return { t, personas, permissionErrors }
}

async function* events(list: ReplyEvent[]): AsyncIterable<ReplyEvent> {
  for (const e of list) yield e
}

const done = (text: string): ReplyEvent => ({
  type: 'done',
  text,
  persona: luna,
  model: 'm',
  fallbackUsed: false,
  promptTokens: 1,
  completionTokens: 1,
  messageId: '1',
})

function deps() {
  return {
    scheduler: new EditScheduler({ windowMs: 1, marginMs: 0 }),
    codec: new CustomIdCodec(),
    log: silentLogger(),
  }
}

describe('renderReply', () => {
  it('shows the queue position, then ends with the complete text and a Regenerate button', async () => {
    const surface = new RecordingSurface()
    const d = deps()
    await renderReply(
      d,
      target(surface).t,
      events([
        { type: 'accepted', persona: luna, model: 'm' },
        { type: 'queued', position: 3 },
        { type: 'delta', text: 'Hel' },
        { type: 'delta', text: 'lo' },
        done('Hello!'),
      ]),
    )
    expect(surface.calls[0]).toBe('send m1')
    expect(surface.contents()).toEqual(['Hello!'])
    expect(surface.labels('m1')).toEqual(['Regenerate'])
    d.scheduler.close()
  })

  it('puts the persona header on the first of several chunks only', async () => {
    const surface = new RecordingSurface('**Luna**\n')
    const d = deps()
    const long = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ')
    await renderReply(
      d,
      target(surface).t,
      events([{ type: 'accepted', persona: luna, model: 'm' }, done(long)]),
    )
    const contents = surface.contents()
    expect(contents.length).toBe(3)
    expect(contents[0]?.startsWith('**Luna**\n')).toBe(true)
    expect(contents.slice(1).some((c) => c.includes('**Luna**'))).toBe(false)
    expect(contents.every((c) => c.length <= 2000)).toBe(true)
    d.scheduler.close()
  })

  it('answers an error that comes before any persona with the user-facing message', async () => {
    const surface = new RecordingSurface()
    const { t, personas } = target(surface)
    const d = deps()
    await renderReply(
      d,
      t,
      events([{ type: 'error', error: { code: 'QUOTA_EXCEEDED', params: { limit: 5 } } }]),
    )
    expect(personas).toEqual([null])
    expect(surface.contents()[0]).toMatch(/^⚠️ You've used all 5 messages/)
    expect(surface.labels('m1')).toEqual([])
    d.scheduler.close()
  })

  it('keeps the text streamed before a stop and marks it stopped', async () => {
    const surface = new RecordingSurface()
    const d = deps()
    await renderReply(
      d,
      target(surface).t,
      events([
        { type: 'accepted', persona: luna, model: 'm' },
        { type: 'delta', text: 'Partial answer' },
        { type: 'error', error: { code: 'CANCELLED', params: {} }, partialText: 'Partial answer' },
      ]),
    )
    expect(surface.contents()).toEqual(['Partial answer\n\n*(stopped)*'])
    d.scheduler.close()
  })

  it('reports a missing permission once and aborts the generation', async () => {
    const surface = new RecordingSurface()
    surface.failWith = new DiscordAPIError(
      { message: 'Missing Permissions', code: 50013 },
      50013,
      403,
      'POST',
      '/x',
      {},
    )
    const { t, permissionErrors } = target(surface)
    let aborted = false
    const d = deps()
    await renderReply(
      d,
      t,
      events([
        { type: 'accepted', persona: luna, model: 'm' },
        { type: 'delta', text: 'x' },
        done('x'),
      ]),
      { abort: () => (aborted = true) },
    )
    expect(permissionErrors).toHaveLength(1)
    expect(aborted).toBe(true)
    expect(surface.contents()).toEqual([])
    d.scheduler.close()
  })
})
