import type { Api } from 'grammy'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { InFlight } from '../shared/in-flight.js'
import type { CallbackCodec } from './callback-data.js'
import type { ChatAdmins } from './chat-admins.js'
import type { EditPacer } from './edit-pacer.js'
import type { TelegramFiles } from './telegram-files.js'
import type { UpdateJob } from './telegram-inbox.js'
import type { TelegramSender } from './telegram-sender.js'

/** What every Telegram handler works with, built once per bot (like Discord's context). */
export interface TelegramContext {
  readonly core: ChatCore
  readonly api: Api
  readonly log: Logger
  readonly sender: TelegramSender
  readonly pacer: EditPacer
  readonly codec: CallbackCodec
  readonly admins: ChatAdmins
  /** Photo and document downloads (`getFile` + the file URL under the API root). */
  readonly files: TelegramFiles
  readonly inFlight: InFlight
  /** The inbox job of the update being handled: its reply reports here. */
  readonly job?: UpdateJob | undefined
}
