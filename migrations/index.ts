import type { Migration } from 'kysely'
import * as initialSchema from './2026_11_26_0700_initial_schema.js'
import * as mergeConsentAndRetention from './2026_12_04_1605_merge_consent_and_retention.js'
import * as starsPayments from './2026_12_04_1607_stars_payments.js'
import * as identityHandle from './2026_12_04_1610_identity_handle.js'
import * as chatModel from './2026_12_04_1900_chat_model.js'
import * as operatorConsole from './2026_12_04_1910_operator_console.js'
import * as coordination from './2026_12_04_1920_coordination.js'
import * as inbox from './2026_12_04_1925_inbox.js'
import * as discordChannelActivity from './2026_12_04_1940_discord_channel_activity.js'
import * as sharedWork from './2026_12_04_1950_shared_work.js'

/** Every migration, in order. A unit test fails when a file in this folder is missing here. */
export const migrations: Record<string, Migration> = {
  '2026_11_26_0700_initial_schema': initialSchema,
  '2026_12_04_1605_merge_consent_and_retention': mergeConsentAndRetention,
  '2026_12_04_1607_stars_payments': starsPayments,
  '2026_12_04_1610_identity_handle': identityHandle,
  '2026_12_04_1900_chat_model': chatModel,
  '2026_12_04_1910_operator_console': operatorConsole,
  '2026_12_04_1920_coordination': coordination,
  '2026_12_04_1925_inbox': inbox,
  '2026_12_04_1940_discord_channel_activity': discordChannelActivity,
  '2026_12_04_1950_shared_work': sharedWork,
}
