import { adminCommand } from './admin.js'
import { billingCommand } from './billing.js'
import { channelCommand } from './channel.js'
import { exportCommand } from './export.js'
import { forgetCommand } from './forget.js'
import { helpCommand } from './help.js'
import { memoryCommand } from './memory.js'
import { modelCommand } from './model.js'
import { paysupportCommand } from './paysupport.js'
import { personaCommand } from './persona.js'
import { personasCommand } from './personas.js'
import { regenerateCommand } from './regenerate.js'
import { resetCommand } from './reset.js'
import { settingsCommand } from './settings.js'
import { startCommand } from './start.js'
import { statusCommand } from './status.js'
import { stopCommand } from './stop.js'
import { subscribeCommand } from './subscribe.js'
import { termsCommand } from './terms.js'
import type { CoreCommand } from './types.js'
import { verifyCommand } from './verify.js'

/** Every command the core serves, in the order /help lists them. */
export const commands: readonly CoreCommand[] = [
  startCommand,
  helpCommand,
  personasCommand,
  personaCommand,
  resetCommand,
  regenerateCommand,
  stopCommand,
  statusCommand,
  modelCommand,
  memoryCommand,
  forgetCommand,
  exportCommand,
  settingsCommand,
  subscribeCommand,
  billingCommand,
  paysupportCommand,
  termsCommand,
  verifyCommand,
  channelCommand,
  adminCommand,
]

export type { CoreCommand } from './types.js'
