import { describe, expect, it } from 'vitest'
import { pickHost, type RoutableHost } from '../../../src/llm/host-router.js'

interface FakeHost extends RoutableHost {
  readonly id: string
}

function host(
  id: string,
  state: { up?: boolean; models?: string[]; loaded?: string[]; load?: number; full?: boolean } = {},
): FakeHost {
  return {
    id,
    breaker: { isAvailable: () => state.up ?? true },
    queue: { full: state.full ?? false, load: state.load ?? 0 },
    mayHave: (model) => (state.models ?? ['llama3.2']).includes(model),
    isLoaded: (model) => (state.loaded ?? []).includes(model),
  }
}

describe('pickHost', () => {
  it('skips hosts whose circuit is open or that lack the model', () => {
    const hosts = [host('down', { up: false }), host('other', { models: ['phi3'] }), host('ok')]
    expect(pickHost(hosts, 'llama3.2', new Set())?.id).toBe('ok')
  })

  it('prefers a host with the model loaded over a less loaded one', () => {
    const hosts = [host('cold', { load: 0 }), host('warm', { loaded: ['llama3.2'], load: 0.5 })]
    expect(pickHost(hosts, 'llama3.2', new Set())?.id).toBe('warm')
  })

  it('uses an idle cold host when every warm host is full', () => {
    const hosts = [host('warm', { loaded: ['llama3.2'], full: true, load: 2 }), host('cold')]
    expect(pickHost(hosts, 'llama3.2', new Set())?.id).toBe('cold')
  })

  it('picks the least loaded among equals', () => {
    const hosts = [host('a', { load: 1.5 }), host('b', { load: 0.5 }), host('c', { load: 1 })]
    expect(pickHost(hosts, 'llama3.2', new Set())?.id).toBe('b')
  })

  it('tries untried hosts first, then allows a tried one again', () => {
    const a = host('a')
    const b = host('b', { load: 1 })
    expect(pickHost([a, b], 'llama3.2', new Set([a]))?.id).toBe('b')
    expect(pickHost([a, b], 'llama3.2', new Set([a, b]))?.id).toBe('a')
  })

  it('returns null when no host qualifies', () => {
    expect(pickHost([host('down', { up: false })], 'llama3.2', new Set())).toBeNull()
  })
})
