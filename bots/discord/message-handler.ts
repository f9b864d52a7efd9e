import type { Message } from 'discord.js'
import type { InboundMessage } from '../../src/core/types.js'
import { startReply } from '../shared/start-reply.js'
import { userMessageFor } from '../shared/user-messages.js'
import { chatIdFor, isAdultChannel, isDirect } from './channel-kind.js'
import { attachmentsOf } from './discord-attachments.js'
import type { DiscordContext } from './discord-context.js'
import { renderTargetFor } from './render-target.js'
import { NO_MENTIONS } from './reply-surface.js'
import { renderReply } from './stream-renderer.js'

/**
 * Maps a Discord message to the core's inbound message; null for messages we never answer
 * (other bots, webhooks, our own posts, system messages). `repliedToUs`: the message replies to
 * the bot or to one of our persona (webhook) messages.
 */
export function toInbound(
  message: Message,
  botId: string,
  repliedToUs: boolean,
): InboundMessage | null {
  if (message.author.bot || message.webhookId || message.system) return null
  const direct = isDirect(message.channel)
  const mentioned = message.mentions.users.has(botId)
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), '').trim()
  const attachments = attachmentsOf(message)
  return {
    platform: 'discord',
    platformUserId: message.author.id,
    displayName: message.member?.displayName ?? message.author.displayName,
    handle: message.author.username,
    chatId: chatIdFor(message.channel),
    chatKind: direct ? 'direct' : 'group',
    text,
    ...(attachments.length ? { attachments } : {}),
    replyToMessageId: message.reference?.messageId,
    messageId: message.id,
    addressed: direct || mentioned || repliedToUs,
    adultAllowed: !direct && isAdultChannel(message.channel),
  }
}

/** True when `message` replies to the bot or a persona message; fetches the reply target only if unknown. */
export async function isReplyToUs(
  ctx: DiscordContext,
  message: Message,
  botId: string,
): Promise<boolean> {
  const replyTo = message.reference?.messageId
  if (!replyTo || message.reference?.channelId !== message.channelId) return false
  if (ctx.ownMessages.has(replyTo)) return true
  // Without the Message Content intent such a reply has no text we could answer anyway.
  if (message.content.trim() === '' && message.attachments.size === 0) return false
  const target =
    message.channel.messages.cache.get(replyTo) ??
    (await message.fetchReference().catch(() => undefined))
  if (!target) return false
  return (
    target.author.id === botId ||
    (target.webhookId !== null && ctx.webhooks.isOurs(target.webhookId))
  )
}

/** Answers one message when the core wants to. Never rejects. */
export async function handleMessage(ctx: DiscordContext, message: Message): Promise<void> {
  const botId = ctx.client.user?.id
  if (!botId) return
  const log = ctx.log.child({
    guildId: message.guildId,
    channelId: message.channelId,
    userId: message.author.id,
    messageId: message.id,
  })
  try {
    if (message.author.bot || message.webhookId) return
    if (!ctx.handled.add(message.id)) return
    const inbound = toInbound(message, botId, await isReplyToUs(ctx, message, botId))
    if (!inbound) return
    if (inbound.addressed) ctx.onAddressed?.(message)
    // Without the Message Content intent, unaddressed server messages arrive without text.
    if (!inbound.addressed && inbound.text === '' && !inbound.attachments) return
    const controller = new AbortController()
    // The core decides once: no first event means the message is not for us.
    const events = await startReply(ctx.core.reply(inbound, controller.signal))
    if (!events) return
    if (!message.channel.isSendable()) {
      controller.abort()
      for await (const _ of events) break
      log.warn('channel is not sendable')
      return
    }
    log.debug('answering message')
    const target = renderTargetFor(ctx, message.channel, message.author, message.id)
    const work = renderReply({ scheduler: ctx.scheduler, codec: ctx.codec, log }, target, events, {
      abort: () => controller.abort(),
    })
    ctx.inflight.track(work, controller)
    await work
  } catch (err) {
    log.error({ err }, 'message handling failed')
    try {
      if (message.channel.isSendable()) {
        await message.channel.send({
          content: userMessageFor({ code: 'INTERNAL', params: {} }),
          allowedMentions: NO_MENTIONS,
        })
      }
    } catch (sendErr) {
      log.warn({ err: sendErr }, 'could not report the failure')
    }
  }
}
