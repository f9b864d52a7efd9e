import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type OllamaDouble, startOllamaDouble } from '../doubles/ollama-double.js'
import { type LogLine, runPlatformToExit, startPlatform, tempDataDir } from './platform-process.js'

const PERSONAS_DIR = join(process.cwd(), 'personas')
const MAIN = join(process.cwd(), 'dist/src/main.js')
const STACK = /\\n\s+at |\n\s+at /
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g')

describe('npm start without a terminal and without Ollama', () => {
  it('says in one line what to do about Ollama and that the terminal chat was not opened, without stack traces', async () => {
    const dir = tempDataDir()
    const platform = await startPlatform({ PERSONAS_DIR, OLLAMA_HOSTS: 'http://127.0.0.1:9' }, dir)
    try {
      const ollama = await platform.waitForLog((l) =>
        String(l.msg).startsWith('Ollama is not reachable at http://127.0.0.1:9.'),
      )
      expect(ollama.msg).toContain('ollama serve')
      expect(ollama.msg).toContain('ollama pull llama3.2')
      expect(ollama.msg).not.toContain('\n')
      await platform.waitForLog((l) => l.msg === 'llm host unreachable at start')
      const notice = await platform.waitForLog((l) =>
        String(l.msg).startsWith('The terminal chat was not opened'),
      )
      expect(notice.msg).toContain('npm run chat')
    } finally {
      await platform.stop('SIGTERM')
    }
    const said = (text: string) =>
      platform.logs.filter((l) => String(l.msg).startsWith(text)).length
    expect(said('The terminal chat was not opened')).toBe(1)
    expect(said('Ollama is not reachable')).toBe(1)
    const withStack = platform.logs.filter((l: LogLine) => STACK.test(JSON.stringify(l)))
    expect(withStack).toEqual([])
    expect(platform.logs.every((l) => (l.level ?? 30) >= 30)).toBe(true)
  })
})

describe('a database that cannot be used names DATABASE_URL', () => {
  it('SQLite: a folder that cannot be created', async () => {
    const dir = tempDataDir()
    const file = join(dir, 'not-a-folder')
    writeFileSync(file, 'x')
    const result = await runPlatformToExit({
      PERSONAS_DIR,
      OLLAMA_HOSTS: 'http://127.0.0.1:9',
      DATABASE_URL: join(file, 'db.sqlite'),
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('DATABASE_URL=')
    expect(result.stderr).toMatch(/SQLite database file cannot be opened/)
    expect(result.stderr + result.stdout).not.toMatch(STACK)
  })

  it('PostgreSQL: a server that is not running', async () => {
    const result = await runPlatformToExit({
      PERSONAS_DIR,
      OLLAMA_HOSTS: 'http://127.0.0.1:9',
      DATABASE_URL: 'postgres://postgres:secretpw@127.0.0.1:1/justlayme',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('PostgreSQL is not reachable at 127.0.0.1:1')
    expect(result.stderr).toContain('DATABASE_URL=postgres://postgres:***@127.0.0.1:1/justlayme')
    expect(result.stderr + result.stdout).not.toContain('secretpw')
    expect(result.stderr + result.stdout).not.toMatch(STACK)
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'PostgreSQL: a database that does not exist, with how to create it',
    async () => {
      const url = new URL(process.env.TEST_DATABASE_URL ?? '')
      url.pathname = '/jlm_first_run_missing'
      const result = await runPlatformToExit({
        PERSONAS_DIR,
        OLLAMA_HOSTS: 'http://127.0.0.1:9',
        DATABASE_URL: url.toString(),
      })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        'The PostgreSQL database "jlm_first_run_missing" does not exist (DATABASE_URL=',
      )
      expect(result.stderr).toMatch(/createdb -h \S+ -p \d+ -U \S+ jlm_first_run_missing/)
      expect(result.stderr + result.stdout).not.toMatch(STACK)
    },
  )
})

/** `npm start` under a pseudo-terminal (util-linux `script`), typing into it. */
interface Pty {
  readonly child: ChildProcess
  screen(): string
  type(text: string): void
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>
  exited: Promise<number | null>
}

async function startUnderPty(env: Record<string, string>, cwd: string): Promise<Pty> {
  const child = spawn('script', ['-qfec', `"${process.execPath}" "${MAIN}"`, '/dev/null'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  // Without control sequences, so tests read what a person sees.
  const screen = () => out.replace(ANSI, '').replace(/\r/g, '')
  return {
    child,
    screen,
    type: (text) => child.stdin?.write(text),
    async waitFor(pattern, from = 0, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(screen().slice(from))) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`not seen on the terminal: ${pattern}\n---\n${screen()}`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    exited,
  }
}

describe('npm start in a terminal', () => {
  let pty: Pty | undefined
  let ollama: OllamaDouble | undefined
  afterEach(async () => {
    if (pty && pty.child.exitCode === null) {
      pty.child.kill('SIGKILL')
      await pty.exited
    }
    await ollama?.close()
    pty = undefined
    ollama = undefined
  })

  it('opens with the persona and greeting, keeps a history, takes a 5,000-character pasted line whole', async () => {
    ollama = await startOllamaDouble({
      reply: (req) => {
        const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
        return `heard ${last.length} chars: ${last.slice(0, 12)}`
      },
    })
    pty = await startUnderPty(
      { PERSONAS_DIR, OLLAMA_HOSTS: ollama.url, MAX_INPUT_CHARS: '6000' },
      tempDataDir(),
    )
    await pty.waitFor(/Type a message/)
    const opening = pty.screen()
    expect(opening).toContain('You are talking to Ilse Varga — ')
    expect(opening).toMatch(/Ilse Varga: \*Varga does not look up from the chart\./)
    expect(opening.match(/\/quit/g)).toHaveLength(1)
    await pty.waitFor(/Ilse Varga> $/)

    let mark = pty.screen().length
    pty.type('first words\r')
    await pty.waitFor(/heard 11 chars: first words/, mark)
    await pty.waitFor(/Ilse Varga> $/, mark)

    // Up arrow brings the last line back; Enter sends it again.
    mark = pty.screen().length
    pty.type('\x1b[A\r')
    await pty.waitFor(/heard 11 chars: first words/, mark)
    await pty.waitFor(/Ilse Varga> $/, mark)

    mark = pty.screen().length
    pty.type(`${'x'.repeat(4_995)}tail!\r`)
    await pty.waitFor(/heard 5000 chars: x{12}/, mark)

    pty.type('/quit\r')
    expect(await pty.exited).toBe(0)
  })

  it('tells the operator how to start Ollama when it is not running', async () => {
    pty = await startUnderPty({ PERSONAS_DIR, OLLAMA_HOSTS: 'http://127.0.0.1:9' }, tempDataDir())
    await pty.waitFor(/Type a message/)
    await pty.waitFor(/Ollama is not reachable at http:\/\/127\.0\.0\.1:9\./)
    const mark = pty.screen().length
    pty.type('hello?\r')
    await pty.waitFor(/! Ollama is not reachable at http:\/\/127\.0\.0\.1:9\./, mark)
    expect(pty.screen()).toContain('ollama serve')
    expect(pty.screen()).not.toContain('offline right now')
    pty.type('/quit\r')
    expect(await pty.exited).toBe(0)
  })
})
