import { bool, httpUrl, int, str, type VarSpec } from './config-values.js'

/** Discord and Telegram: tokens, API addresses, sharding and webhooks. */
export const PLATFORM_SPEC = {
  DISCORD_TOKEN: str('a Discord bot token', 'MTIz...abc'),
  DISCORD_GUILD_ID: {
    ...str('a Discord server id', '123456789012345678'),
    parse: (r: string) => (/^\d{5,25}$/.test(r.trim()) ? r.trim() : undefined),
  },
  DISCORD_API_URL: httpUrl('http://127.0.0.1:8080/api'),
  DISCORD_MESSAGE_CONTENT: { ...bool, default: 'false' },
  DISCORD_SHARDS: {
    expected: 'auto or an integer from 1 to 4096',
    example: 'auto',
    parse: (raw: string): number | 'auto' | undefined =>
      raw.trim().toLowerCase() === 'auto' ? 'auto' : int(1, 4096, '2').parse(raw),
    default: 'auto',
  },
  DISCORD_CATCHUP_MS: { ...int(0, 86_400_000, '120000'), default: '120000' },

  TELEGRAM_BOT_TOKEN: {
    ...str('a token from @BotFather', '123456:ABC-DEF1234ghIkl'),
    parse: (r: string) => (/^\d+:[\w-]+$/.test(r.trim()) ? r.trim() : undefined),
  },
  TELEGRAM_API_ROOT: httpUrl('http://127.0.0.1:8081'),
  TELEGRAM_WEBHOOK: { ...bool, default: 'false' },
  TELEGRAM_WEBHOOK_SECRET: {
    ...str('1-256 characters A-Z a-z 0-9 _ -', 'my_secret_token'),
    parse: (r: string) => (/^[\w-]{1,256}$/.test(r.trim()) ? r.trim() : undefined),
  },
} satisfies Record<string, VarSpec<unknown>>
