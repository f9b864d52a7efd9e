import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import { DiscordDouble } from '../doubles/discord-double.js'
import { TelegramApiDouble } from '../doubles/telegram-double.js'
import { tempDataDir } from './platform-process.js'

const run = promisify(execFile)

/** `npm run register-commands` runs exactly this file. */
async function registerCommands(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(process.cwd(), 'dist/src/register-commands-cli.js')],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd: tempDataDir() },
    )
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('npm run register-commands', () => {
  let discord: DiscordDouble
  let telegram: TelegramApiDouble
  beforeAll(async () => {
    discord = await DiscordDouble.start()
    telegram = await TelegramApiDouble.start()
  })
  afterAll(async () => {
    await Promise.allSettled([discord.close(), telegram.close()])
  })
  const names = commands.map((c) => c.name).sort()
  const namesOf = (list: unknown[] | undefined) =>
    (list ?? []).map((c) => (c as { name: string }).name).sort()

  it('registers the Discord commands globally without a gateway connection', async () => {
    const result = await registerCommands({
      DISCORD_TOKEN: 'register.discord.token',
      DISCORD_API_URL: discord.apiUrl,
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Discord: ${names.length} commands registered globally`)
    expect(namesOf(discord.commands.get('global'))).toEqual(names)
    expect(discord.gateway.connected).toBe(false)
  })

  it('registers to DISCORD_GUILD_ID and removes the stale global commands', async () => {
    expect(discord.commands.get('global')?.length).toBeGreaterThan(0)
    const result = await registerCommands({
      DISCORD_TOKEN: 'register.discord.token',
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`to server ${discord.guildId}`)
    expect(result.stdout).toContain(`removed ${names.length} stale global commands`)
    expect(namesOf(discord.commands.get(discord.guildId))).toEqual(names)
    expect(discord.commands.get('global')).toEqual([])
  })

  it('sets the Telegram command menus for private and group chats', async () => {
    const result = await registerCommands({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Telegram: ${names.length} commands set`)
    for (const scope of ['all_private_chats', 'all_group_chats']) {
      expect((telegram.commands.get(scope) ?? []).map((c) => c.command).sort()).toEqual(names)
    }
  })

  it('says what to set when no bot token is configured', async () => {
    const result = await registerCommands({})
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('DISCORD_TOKEN')
  })
})
