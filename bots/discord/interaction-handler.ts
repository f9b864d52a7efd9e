import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  type SendableChannels,
} from 'discord.js'
import type { CommandInvocation, CommandIo } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { ReplyEvent } from '../../src/core/types.js'
import { userMessageFor } from '../shared/user-messages.js'
import { chatIdFor, isAdultChannel } from './channel-kind.js'
import type { DiscordContext } from './discord-context.js'
import { InteractionResponder } from './interaction-responder.js'
import { renderTargetFor } from './render-target.js'
import { renderReply } from './stream-renderer.js'

/** Slow commands must be acknowledged within Discord's 3 s; we defer after this long. */
const DEFER_AFTER_MS = 1_500

/** The core's chat id of the place an interaction comes from (see `chatIdFor`). */
function interactionChatId(interaction: Interaction): string {
  if (interaction.channel) return chatIdFor(interaction.channel)
  const channelId = interaction.channelId ?? interaction.user.id
  return interaction.guildId ? `${interaction.guildId}/${channelId}` : channelId
}

/** Routes one interaction to the core. Never rejects. */
export async function handleInteraction(
  ctx: DiscordContext,
  interaction: Interaction,
): Promise<void> {
  const log = ctx.log.child({
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    interactionId: interaction.id,
  })
  try {
    if (interaction.isAutocomplete()) await autocomplete(ctx, interaction)
    else if (interaction.isChatInputCommand()) await slashCommand(ctx, interaction, log)
    else if (interaction.isButton()) await button(ctx, interaction, log)
  } catch (err) {
    log.error({ err }, 'interaction failed')
    if (!interaction.isRepliable()) return
    const content = userMessageFor({ code: 'INTERNAL', params: {} })
    try {
      if (interaction.replied || interaction.deferred) {
        await interaction.followUp({ content, flags: MessageFlags.Ephemeral })
      } else {
        await interaction.reply({ content, flags: MessageFlags.Ephemeral })
      }
    } catch (replyErr) {
      log.warn({ err: replyErr }, 'could not report the failure')
    }
  }
}

async function autocomplete(ctx: DiscordContext, interaction: AutocompleteInteraction) {
  const focused = interaction.options.getFocused(true)
  const command = ctx.core.commands.find((c) => c.name === interaction.commandName)
  const source = command?.options.find((o) => o.name === focused.name)?.autocomplete
  const channel = interaction.channel
  const suggestions = source
    ? await ctx.core.autocomplete(source, String(focused.value), {
        platform: 'discord',
        platformUserId: interaction.user.id,
        chatId: interactionChatId(interaction),
        adultAllowed: channel ? isAdultChannel(channel) : false,
      })
    : []
  await interaction.respond(
    suggestions
      .slice(0, 25)
      .map((s) => ({ name: s.name.slice(0, 100), value: s.value.slice(0, 100) })),
  )
}

async function slashCommand(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction,
  log: Logger,
) {
  const args: Record<string, string> = {}
  for (const option of interaction.options.data) {
    if (option.value !== undefined && option.value !== null)
      args[option.name] = String(option.value)
  }
  await runCommand(ctx, interaction, interaction.commandName, args, log)
}

async function button(ctx: DiscordContext, interaction: ButtonInteraction, log: Logger) {
  const action = ctx.codec.decode(interaction.customId)
  if (!action) {
    await interaction.reply({
      content: 'This button has expired. Please run the command again.',
      flags: MessageFlags.Ephemeral,
    })
    return
  }
  if (action.kind === 'stop') {
    if (action.ownerId !== interaction.user.id) {
      await interaction.reply({
        content: 'Only the person who asked can stop this reply.',
        flags: MessageFlags.Ephemeral,
      })
      return
    }
    const stopped = await ctx.core.stop('discord', interaction.user.id)
    if (stopped) await interaction.deferUpdate()
    else await interaction.reply({ content: 'Nothing to stop.', flags: MessageFlags.Ephemeral })
    return
  }
  if (action.kind === 'regenerate') {
    await runCommand(ctx, interaction, 'regenerate', {}, log)
    return
  }
  await runCommand(ctx, interaction, action.command, action.args, log)
}

/** Runs a core command for a slash command or a button, as the person who used it. */
async function runCommand(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  name: string,
  args: Readonly<Record<string, string>>,
  log: Logger,
): Promise<void> {
  const channel = interaction.channel
  const invocation: CommandInvocation = {
    platform: 'discord',
    platformUserId: interaction.user.id,
    displayName: interaction.user.displayName,
    handle: interaction.user.username,
    chatId: interactionChatId(interaction),
    chatKind: interaction.inGuild() ? 'group' : 'direct',
    adultAllowed: channel ? isAdultChannel(channel) : false,
    // Chat settings are per channel: Manage Server, or Manage Channels in this channel
    // (memberPermissions are resolved for the interaction's channel).
    isChatAdmin:
      !interaction.inGuild() ||
      (interaction.memberPermissions?.any([
        PermissionFlagsBits.ManageGuild,
        PermissionFlagsBits.ManageChannels,
      ]) ??
        false),
    name,
    args,
  }
  const responder = new InteractionResponder(interaction, { codec: ctx.codec, log })
  const slow = ctx.core.commands.find((c) => c.name === name)?.slow === true
  const timer = setTimeout(() => void responder.defer(), slow ? 0 : DEFER_AFTER_MS)
  const io: CommandIo = {
    reply: async (reply) => {
      clearTimeout(timer)
      await responder.reply(reply)
    },
    stream: async (events) => {
      clearTimeout(timer)
      await streamInChannel(ctx, interaction, responder, events, log)
    },
  }
  try {
    await ctx.core.runCommand(invocation, io)
  } finally {
    clearTimeout(timer)
    await responder.finish()
  }
}

async function streamInChannel(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  responder: InteractionResponder,
  events: AsyncIterable<ReplyEvent>,
  log: Logger,
): Promise<void> {
  await responder.acknowledgeForStream()
  const channel = (interaction.channel ??
    (interaction.channelId
      ? await ctx.client.channels.fetch(interaction.channelId)
      : null)) as SendableChannels | null
  if (!channel?.isSendable()) {
    log.warn('cannot stream: channel unavailable')
    return
  }
  // The core owns this generation; cancelling it means asking the core to stop it.
  const controller = new AbortController()
  controller.signal.addEventListener('abort', () => {
    ctx.core.stop('discord', interaction.user.id).catch((err: unknown) => {
      log.warn({ err }, 'could not stop the generation')
    })
  })
  const target = renderTargetFor(ctx, channel, interaction.user, undefined)
  const work = renderReply({ scheduler: ctx.scheduler, codec: ctx.codec, log }, target, events, {
    abort: () => controller.abort(),
  })
  ctx.inflight.track(work, controller)
  await work
}
