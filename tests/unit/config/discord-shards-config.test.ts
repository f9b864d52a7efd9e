import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config.js'

describe('Discord shard settings', () => {
  it('defaults to the recommended shard count and two minutes of catch-up', () => {
    const config = loadConfig({})
    expect(config.DISCORD_SHARDS).toBe('auto')
    expect(config.DISCORD_CATCHUP_MS).toBe(120_000)
  })

  it('reads DISCORD_SHARDS as auto or a count and names a wrong value', () => {
    expect(loadConfig({ DISCORD_SHARDS: 'AUTO' }).DISCORD_SHARDS).toBe('auto')
    expect(loadConfig({ DISCORD_SHARDS: '4' }).DISCORD_SHARDS).toBe(4)
    expect(() => loadConfig({ DISCORD_SHARDS: '0' })).toThrow(
      /DISCORD_SHARDS="0" is not valid: expected auto or an integer from 1 to 4096/,
    )
    expect(() => loadConfig({ DISCORD_CATCHUP_MS: 'soon' })).toThrow(/DISCORD_CATCHUP_MS="soon"/)
    expect(loadConfig({ DISCORD_CATCHUP_MS: '0' }).DISCORD_CATCHUP_MS).toBe(0)
  })
})
