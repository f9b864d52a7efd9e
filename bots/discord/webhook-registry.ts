import type { NewsChannel, TextChannel, Webhook } from 'discord.js'
import type { Logger } from '../../src/core/ports/logger.js'
import { discordErrorCode, isPermissionError, NO_MENTIONS } from './reply-surface.js'

export type WebhookChannel = TextChannel | NewsChannel

const WEBHOOK_NAME = 'JustLayMe personas'

export interface WebhookRegistryOptions {
  readonly applicationId: () => string | undefined
  /** How long a channel without Manage Webhooks is not asked again. */
  readonly deniedRetryMs?: number
}

/**
 * One webhook per channel, created once and reused. Without Manage Webhooks it answers null
 * (callers post as the bot) and tells the server's admins once per process what would enable it.
 */
export class WebhookRegistry {
  readonly #log: Logger
  readonly #applicationId: () => string | undefined
  readonly #deniedRetryMs: number
  readonly #hooks = new Map<string, Promise<Webhook | null>>()
  readonly #denied = new Map<string, number>()
  readonly #toldGuilds = new Set<string>()
  readonly #ids = new Set<string>()

  constructor(deps: { log: Logger }, options: WebhookRegistryOptions) {
    this.#log = deps.log
    this.#applicationId = options.applicationId
    this.#deniedRetryMs = options.deniedRetryMs ?? 10 * 60_000
  }

  /** The channel's webhook, or null when we may not manage webhooks there. Never throws. */
  get(channel: WebhookChannel): Promise<Webhook | null> {
    const deniedAt = this.#denied.get(channel.id)
    if (deniedAt !== undefined && Date.now() - deniedAt < this.#deniedRetryMs) {
      return Promise.resolve(null)
    }
    let hook = this.#hooks.get(channel.id)
    if (!hook) {
      hook = this.#find(channel)
      this.#hooks.set(channel.id, hook)
    }
    return hook
  }

  /** True for the id of a webhook this registry found or created (persona messages). */
  isOurs(webhookId: string): boolean {
    return this.#ids.has(webhookId)
  }

  /** Forgets a channel's webhook (someone deleted it). */
  invalidate(channelId: string): void {
    this.#hooks.delete(channelId)
  }

  async #find(channel: WebhookChannel): Promise<Webhook | null> {
    try {
      const appId = this.#applicationId()
      const existing = await channel.fetchWebhooks()
      const ours = existing.find((w) => w.token !== null && w.applicationId === appId)
      const hook = ours ?? (await channel.createWebhook({ name: WEBHOOK_NAME }))
      this.#ids.add(hook.id)
      return hook
    } catch (err) {
      this.#hooks.delete(channel.id)
      if (isPermissionError(err)) {
        this.#denied.set(channel.id, Date.now())
        this.#log.warn(
          { guildId: channel.guildId, channelId: channel.id },
          'no Manage Webhooks permission: personas post as the bot',
        )
        await this.#tellAdmins(channel)
      } else {
        this.#log.warn(
          { err, code: discordErrorCode(err), guildId: channel.guildId, channelId: channel.id },
          'could not get a webhook; posting as the bot',
        )
      }
      return null
    }
  }

  async #tellAdmins(channel: WebhookChannel): Promise<void> {
    if (this.#toldGuilds.has(channel.guildId)) return
    this.#toldGuilds.add(channel.guildId)
    try {
      await channel.send({
        content:
          'Note for server admins: give me the **Manage Webhooks** permission in this channel so personas can answer with their own name and avatar. Until then they answer as me, with their name on top.',
        allowedMentions: NO_MENTIONS,
      })
    } catch (err) {
      this.#log.warn({ err, guildId: channel.guildId }, 'could not tell admins about webhooks')
    }
  }
}
