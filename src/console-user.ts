import { userInfo } from 'node:os'
import type { AdminRef } from './config.js'

/** The terminal chat's user id: the OS user name (`operator` when the system has none). */
export function consoleUserId(): string {
  try {
    return userInfo().username || 'operator'
  } catch {
    return process.env.USER || 'operator'
  }
}

/**
 * `ADMINS` plus the terminal user when `CONSOLE_ADMIN` is on (the default): the operator at
 * their own terminal may use premium and adult personas (after /settings adult yes) and /admin.
 */
export function withConsoleAdmin(
  admins: readonly AdminRef[],
  consoleAdmin: boolean,
  userId: string = consoleUserId(),
): AdminRef[] {
  const listed = admins.some((a) => a.platform === 'console' && a.platformUserId === userId)
  return consoleAdmin && !listed
    ? [...admins, { platform: 'console', platformUserId: userId }]
    : [...admins]
}
