import type { Client, Message } from 'discord.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { InFlight } from '../shared/in-flight.js'
import type { RecentIds } from '../shared/recent-ids.js'
import type { CustomIdCodec } from './custom-id.js'
import type { EditScheduler } from './edit-scheduler.js'
import type { WebhookRegistry } from './webhook-registry.js'

/** Everything the event handlers share; built once per bot. */
export interface DiscordContext {
  readonly core: ChatCore
  readonly log: Logger
  readonly client: Client
  readonly scheduler: EditScheduler
  readonly codec: CustomIdCodec
  readonly webhooks: WebhookRegistry
  readonly ownMessages: RecentIds<string>
  readonly inflight: InFlight
  /** `${channelId}:${userId}` pairs already told about missing permissions. */
  readonly toldAboutPermissions: Set<string>
  /** Message ids handled here: one that arrives by the gateway and by a catch-up is handled once. */
  readonly handled: RecentIds<string>
  /** Notes a message addressed to the bot (for catch-up after a shard takeover). */
  readonly onAddressed?: ((message: Message) => void) | undefined
}
