import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { withConsoleAdmin } from '../../../src/console-user.js'
import {
  botStartupProblem,
  databaseStartupProblem,
  StartupReporter,
} from '../../../src/startup-messages.js'
import { capturingLogger } from '../../helpers/logger.js'

const coded = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('start-up lines for the operator', () => {
  it('says each problem once: on the terminal, and as one log line with the error only at debug', () => {
    const { log, lines } = capturingLogger('info')
    const terminal = new PassThrough()
    let shown = ''
    terminal.on('data', (d: Buffer) => {
      shown += d.toString()
    })
    const reporter = new StartupReporter(log, terminal)
    reporter.problem(
      'llm',
      'Ollama is not reachable.\nStart it with:  ollama serve',
      new Error('x'),
    )
    reporter.problem('llm', 'Ollama is not reachable.\nStart it with:  ollama serve')
    expect(shown).toBe('Ollama is not reachable.\nStart it with:  ollama serve\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 40,
      component: 'llm',
      msg: 'Ollama is not reachable. Start it with: ollama serve',
    })
    expect(JSON.stringify(lines)).not.toContain('stack')
  })

  it('names DATABASE_URL and how to create a missing PostgreSQL database, without the password', () => {
    const url = 'postgres://app:hunter2@db.local:5433/chat'
    const missing = databaseStartupProblem(url, coded('3D000', 'database "chat" does not exist'))
    expect(missing).toContain('DATABASE_URL=postgres://app:***@db.local:5433/chat')
    expect(missing).toContain('createdb -h db.local -p 5433 -U app chat')
    expect(missing).not.toContain('hunter2')
    expect(databaseStartupProblem(url, coded('ECONNREFUSED'))).toMatch(
      /PostgreSQL is not reachable at db\.local:5433 \(DATABASE_URL=/,
    )
    expect(databaseStartupProblem(url, coded('28P01'))).toMatch(/user name and password/)
    expect(databaseStartupProblem('/ro/db.sqlite', coded('EACCES'))).toMatch(
      /SQLite database file cannot be opened \(DATABASE_URL=\/ro\/db\.sqlite; EACCES\)/,
    )
  })

  it('tells a refused token from a missing network', () => {
    const grammy401 = Object.assign(new Error("Call to 'getMe' failed! (401: Unauthorized)"), {
      error_code: 401,
    })
    expect(botStartupProblem('telegram', grammy401)).toMatch(/refused TELEGRAM_BOT_TOKEN/)
    const discordBad = coded('TokenInvalid', 'An invalid token was provided.')
    expect(botStartupProblem('discord', discordBad)).toMatch(/refused DISCORD_TOKEN/)
    const offline = Object.assign(new TypeError('fetch failed'), {
      cause: coded('ENOTFOUND', 'getaddrinfo ENOTFOUND discord.com'),
    })
    expect(botStartupProblem('discord', offline)).toMatch(/could not be reached \(ENOTFOUND\)/)
    expect(botStartupProblem('telegram', offline)).toMatch(/Telegram could not be reached/)
  })

  it('makes the terminal user an admin unless CONSOLE_ADMIN is false', () => {
    expect(withConsoleAdmin([], true, 'alice')).toEqual([
      { platform: 'console', platformUserId: 'alice' },
    ])
    expect(withConsoleAdmin([], false, 'alice')).toEqual([])
    const listed = [{ platform: 'console' as const, platformUserId: 'alice' }]
    expect(withConsoleAdmin(listed, false, 'alice')).toEqual(listed)
  })
})
