import type { OutgoingNotice, Platform } from '../types.js'

/** Sends a direct message to a person on one platform; implemented by each bot adapter. */
export interface PlatformMessenger {
  readonly platform: Platform
  /** Resolves true when delivered; never throws (failures are logged by the adapter). */
  sendDirect(platformUserId: string, notice: OutgoingNotice): Promise<boolean>
}

/** Tells a person something on every platform their account is linked to. */
export interface Notifier {
  notifyAccount(accountId: string, notice: OutgoingNotice): Promise<void>
}
