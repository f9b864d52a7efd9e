import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface LogLine {
  readonly level?: number
  readonly msg?: string
  readonly [key: string]: unknown
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** A fresh folder for one platform's data (SQLite file). */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'jlm-e2e-'))
}

export interface PlatformProcess {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** Parsed JSON log lines (stdout). */
  readonly logs: LogLine[]
  /** Raw stderr text. */
  stderr(): string
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  /** Sends a signal and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>
  /** `kill -9`. */
  kill9(): Promise<void>
  exited(): Promise<number | null>
}

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node dist/src/main.js` to completion (for start-up failures). */
export async function runPlatformToExit(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<RunResult> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`platform did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  return { code, stdout, stderr }
}

function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Only what the platform needs: no developer .env or stray variables leak in.
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    ...env,
  }
}

/**
 * Starts the compiled platform as a separate process (as `npm start` does after its build) and
 * waits until `/health` answers.
 */
export async function startPlatform(
  env: Record<string, string>,
  cwd?: string,
): Promise<PlatformProcess> {
  // PORT=0 unless the test needs a fixed one: the platform binds a free port and logs it.
  const fullEnv = baseEnv({ HOST: '127.0.0.1', PORT: '0', ...env })
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/main.js')], {
    env: fullEnv,
    cwd: cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  const waiters = new Set<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>()
  let buffer = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString()
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const raw = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      nl = buffer.indexOf('\n')
      let line: LogLine
      try {
        line = JSON.parse(raw) as LogLine
      } catch {
        line = { msg: raw }
      }
      logs.push(line)
      for (const w of waiters) {
        if (w.predicate(line)) {
          waiters.delete(w)
          w.resolve(line)
        }
      }
    }
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exitPromise = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  const failure = (what: string) =>
    new Error(`${what}\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`)

  // The port it bound, from its 'HTTP server listening' line.
  const listening = await new Promise<LogLine>((resolve, reject) => {
    const seen = logs.find((l) => l.msg === 'HTTP server listening')
    if (seen) return resolve(seen)
    const w = { predicate: (l: LogLine) => l.msg === 'HTTP server listening', resolve }
    waiters.add(w)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(failure('platform did not start listening within 30 s'))
    }, 30_000)
    void exitPromise.then((code) => {
      clearTimeout(timer)
      if (waiters.delete(w)) reject(failure(`platform exited with ${code} before it listened`))
    })
    w.resolve = (line) => {
      clearTimeout(timer)
      resolve(line)
    }
  })
  const port = Number(listening.port)
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `platform exited with ${child.exitCode} before it was healthy\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
      )
    }
    try {
      const res = await fetch(`${url}/health`)
      if (res.status === 200 || res.status === 503) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`platform did not answer /health within 30 s\n${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  return {
    url,
    port,
    child,
    logs,
    stderr: () => stderr,
    waitForLog(predicate, timeoutMs = 20_000) {
      const found = logs.find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const w = { predicate, resolve }
        waiters.add(w)
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`log line not seen within ${timeoutMs} ms`))
        }, timeoutMs).unref()
      })
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const started = Date.now()
      if (child.exitCode !== null) return { code: child.exitCode, ms: 0 }
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const code = await exitPromise
      clearTimeout(timer)
      return { code, ms: Date.now() - started }
    },
    async kill9() {
      if (child.exitCode !== null) return
      child.kill('SIGKILL')
      await exitPromise
    },
    exited: () => exitPromise,
  }
}
