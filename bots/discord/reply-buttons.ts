import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js'
import type { CustomIdCodec } from './custom-id.js'
import type { ButtonRow } from './reply-surface.js'

/** The Stop button shown while a reply is on its way; only `ownerId` may press it. */
export function stopButtons(codec: CustomIdCodec, ownerId: string): ButtonRow[] {
  return [row(codec.encode({ kind: 'stop', ownerId }), 'Stop')]
}

/** The Regenerate button shown under a finished reply. */
export function regenerateButtons(codec: CustomIdCodec): ButtonRow[] {
  return [row(codec.encode({ kind: 'regenerate' }), 'Regenerate')]
}

function row(customId: string, label: string): ButtonRow {
  const button = new ButtonBuilder()
    .setCustomId(customId)
    .setLabel(label)
    .setStyle(ButtonStyle.Secondary)
  return new ActionRowBuilder<ButtonBuilder>().addComponents(button)
}
