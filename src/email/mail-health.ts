import type { ComponentHealth } from '../core/types.js'

/** Whether SMTP works, as last seen by the start-up check, a probe or a send. */
export class MailHealth {
  #status: 'up' | 'down' = 'down'
  #detail: string | undefined = 'not checked yet'
  #onChange: ((up: boolean) => void) | undefined

  constructor(onChange?: (up: boolean) => void) {
    this.#onChange = onChange
  }

  get up(): boolean {
    return this.#status === 'up'
  }

  markUp(): void {
    this.#status = 'up'
    this.#detail = undefined
    this.#onChange?.(true)
  }

  markDown(detail: string): void {
    this.#status = 'down'
    this.#detail = detail
    this.#onChange?.(false)
  }

  /** Mail is not essential: chat keeps working and the outbox keeps messages until SMTP is back. */
  health(): ComponentHealth {
    return { name: 'mail', status: this.#status, essential: false, detail: this.#detail }
  }
}
