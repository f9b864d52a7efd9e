/** The slice of pino the core uses; pino's logger satisfies it as is. */
export interface LogFn {
  (obj: object, msg?: string): void
  (msg: string): void
}
export interface Logger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  child(bindings: Record<string, unknown>): Logger
}
