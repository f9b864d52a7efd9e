import { registerDiscordCommands } from '../bots/discord/register-commands.js'
import { registerTelegramCommands } from '../bots/telegram/register-commands.js'
import { commands } from '../commands/index.js'
import { loadCliConfig } from './cli-config.js'
import { commandDescriptors } from './core/command-runner.js'
import { scrubSecrets } from './logger.js'

/**
 * `npm run register-commands`: publishes the command list to Discord (globally, or to
 * DISCORD_GUILD_ID, removing stale global commands) and Telegram, without starting the bots.
 */
async function main(): Promise<number> {
  const config = loadCliConfig()
  if (!config) return 1
  const descriptors = commandDescriptors(commands)
  const say = (line: string) => process.stdout.write(`${line}\n`)
  const fail = (what: string, err: unknown) =>
    process.stderr.write(
      `${what} failed: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`,
    )
  if (!config.DISCORD_TOKEN && !config.TELEGRAM_BOT_TOKEN) {
    process.stderr.write('Nothing to register: set DISCORD_TOKEN and/or TELEGRAM_BOT_TOKEN.\n')
    return 1
  }
  let failed = false
  if (config.DISCORD_TOKEN) {
    try {
      const r = await registerDiscordCommands(descriptors, {
        token: config.DISCORD_TOKEN,
        guildId: config.DISCORD_GUILD_ID,
        apiUrl: config.DISCORD_API_URL,
      })
      say(
        r.scope === 'guild'
          ? `Discord: ${r.count} commands registered to server ${config.DISCORD_GUILD_ID} (instant).`
          : `Discord: ${r.count} commands registered globally (Discord may take up to an hour to show changes).`,
      )
      if (r.removedGlobal > 0) say(`Discord: removed ${r.removedGlobal} stale global commands.`)
    } catch (err) {
      fail('Discord registration', err)
      failed = true
    }
  }
  if (config.TELEGRAM_BOT_TOKEN) {
    try {
      const count = await registerTelegramCommands(descriptors, {
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
      })
      say(`Telegram: ${count} commands set for private and group chats.`)
    } catch (err) {
      fail('Telegram setMyCommands', err)
      failed = true
    }
  }
  return failed ? 1 : 0
}

process.exitCode = await main()
