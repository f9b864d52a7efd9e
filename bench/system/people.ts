import { TELEGRAM_ADMIN_ID, type World } from '../../tests/e2e/e2e-world.js'

/** One simulated person: half on Telegram, half in Discord DMs. */
export interface Person {
  readonly platform: 'telegram' | 'discord'
  readonly id: string
  readonly premium: boolean
}

/** `count` people, alternating platforms; the first `premiumShare` of them premium. */
export function makePeople(count: number, premiumShare: number): Person[] {
  return Array.from({ length: count }, (_, i) => ({
    platform: i % 2 === 0 ? 'telegram' : 'discord',
    id: i % 2 === 0 ? String(810_000 + i) : String(2_000_000_000_000_000_000n + BigInt(i)),
    premium: i < count * premiumShare,
  }))
}

/**
 * Telegram's per-chat flood control for every Telegram person, roughly as documented (the
 * Discord double keeps its default, Discord's real per-channel budget of 5 writes per 5 s),
 * and premium for the premium ones: an account first (any command creates it), then an
 * admin grant.
 */
export async function prepare(world: World, people: readonly Person[]): Promise<void> {
  for (const p of people) {
    if (p.platform === 'telegram') {
      world.telegram.setFloodRule(Number(p.id), {
        max: 20,
        windowMs: 60_000,
        retryAfterSeconds: 2,
      })
    }
  }
  const premium = people.filter((p) => p.premium)
  await Promise.all(
    premium.map((p) =>
      p.platform === 'telegram'
        ? world.telegramSay(Number(p.id), '/status', (t) => t.length > 0, 60_000)
        : world.discordCommand(p.id, 'status', [], 60_000),
    ),
  )
  for (const p of premium) {
    const reply = await world.telegramSay(
      TELEGRAM_ADMIN_ID,
      `/admin grant ${p.platform}:${p.id} 30`,
      (t) => t.length > 0,
      60_000,
    )
    if (!reply[0]?.startsWith('Granted')) throw new Error(`grant failed: ${reply[0]}`)
  }
}

/** Sends `text` as `p` on their platform. */
export function say(world: World, p: Person, text: string): void {
  if (p.platform === 'telegram') {
    world.telegram.injectMessage({ chatId: Number(p.id), userId: Number(p.id), text })
  } else {
    world.discord.injectMessage({
      channelId: world.discord.dmChannelFor(p.id),
      author: { id: p.id, username: `person${p.id.slice(-4)}` },
      content: text,
    })
  }
}

/** Every text the bot has shown `p` so far, oldest first. */
export function botTexts(world: World, p: Person): string[] {
  return p.platform === 'telegram'
    ? world.telegram.botMessages(Number(p.id)).map((m) => m.text)
    : world.discord
        .channelMessages(world.discord.dmChannelFor(p.id))
        .filter((m) => m.authorId !== p.id)
        .map((m) => m.content)
}
