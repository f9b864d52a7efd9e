import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, tempDataDir } from './platform-process.js'

/**
 * The container cannot be built here (no container runtime), so this runs the Dockerfile's
 * runtime stage step by step: a production install into a clean directory, the built
 * JavaScript, the native binding from the build stage, then a start as a non-root user with
 * the /data layout and the live check the HEALTHCHECK uses.
 */
const ROOT = process.cwd()
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
const TEST_USER = 'jlm-prodtest'
const isRoot = process.getuid?.() === 0

let child: ChildProcess | undefined
let workDir: string | undefined
afterAll(() => {
  child?.kill('SIGKILL')
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

describe('the production install the Dockerfile makes', () => {
  it('keeps the Dockerfile in step with this test', () => {
    for (const line of [
      'FROM node:22-slim AS build',
      'RUN npm ci --no-audit --no-fund',
      'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund',
      'COPY --from=build /app/dist ./dist',
      'COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build',
      'DATABASE_URL=/data/justlayme.sqlite',
      'PERSONAS_DIR=/data/personas',
      'USER node',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGTERM',
      '/health/live',
      'CMD ["node", "dist/src/main.js"]',
    ]) {
      expect(dockerfile).toContain(line)
    }
    const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8')
    expect(compose).toMatch(/stop_grace_period: (\d+)s/)
    const stopSeconds = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1])
    expect(stopSeconds * 1000).toBeGreaterThan(30_000) // SHUTDOWN_GRACE_MS default
  })

  it('installs without dev tools, starts as a non-root user on /data paths and answers the live check', async () => {
    workDir = tempDataDir()
    const app = join(workDir, 'app')
    const data = join(workDir, 'data')
    mkdirSync(app)
    // COPY package.json package-lock.json ./ ; COPY --from=build /app/dist ./dist
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(app, f))
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true })
    // RUN npm ci --omit=dev --ignore-scripts
    execFileSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: app, stdio: 'pipe', timeout: 300_000 },
    )
    // COPY --from=build /app/node_modules/better-sqlite3/build ...
    cpSync(
      join(ROOT, 'node_modules/better-sqlite3/build'),
      join(app, 'node_modules/better-sqlite3/build'),
      { recursive: true },
    )
    for (const dev of ['typescript', 'tsx', 'pino-pretty', 'vitest', '@biomejs/biome']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false)
    }
    // What `npm ci --omit=dev` runs as the prepare script: no compiler, so the built dist/ stays.
    cpSync(join(ROOT, 'scripts'), join(app, 'scripts'), { recursive: true })
    const prepared = execFileSync(process.execPath, ['scripts/prepare.mjs'], { cwd: app })
    expect(prepared.toString()).toContain('using the existing dist/')
    // COPY personas /data/personas ; RUN mkdir -p /data/backups && chown -R node:node /data
    cpSync(join(ROOT, 'personas'), join(data, 'personas'), { recursive: true })
    mkdirSync(join(data, 'backups'))

    let command = [process.execPath, 'dist/src/main.js']
    if (isRoot) {
      try {
        execFileSync('id', [TEST_USER], { stdio: 'ignore' })
      } catch {
        execFileSync('useradd', ['--system', '--no-create-home', TEST_USER])
      }
      execFileSync('chown', ['-R', `${TEST_USER}:${TEST_USER}`, data])
      // The app folder stays root's: the process may read it, never write it.
      chmodSync(workDir, 0o755)
      // setpriv execs node itself (as Docker's USER does), so signals reach it directly.
      const uid = execFileSync('id', ['-u', TEST_USER]).toString().trim()
      const gid = execFileSync('id', ['-g', TEST_USER]).toString().trim()
      command = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', ...command]
    }
    const port = await freePort()
    const [file = '', ...args] = command
    child = spawn(file, args, {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: join(data, 'justlayme.sqlite'),
        PERSONAS_DIR: join(data, 'personas'),
        BACKUP_DIR: join(data, 'backups'),
        OLLAMA_HOSTS: 'http://127.0.0.1:9',
        // pino-pretty is not installed: the platform says so and logs JSON.
        LOG_FORMAT: 'pretty',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve))

    let live: Response | undefined
    for (let i = 0; i < 300 && !live?.ok; i++) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output}`)
      live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined)
      if (!live?.ok) await new Promise((r) => setTimeout(r, 100))
    }
    expect(live?.status, output).toBe(200)
    expect(output).toContain('LOG_FORMAT=pretty needs the pino-pretty package')
    expect(existsSync(join(data, 'justlayme.sqlite'))).toBe(true)
    if (isRoot) {
      const node = execFileSync('pgrep', ['-u', TEST_USER, '-f', 'dist/src/main.js'])
        .toString()
        .trim()
      expect(node).not.toBe('')
    }

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    child = undefined
  })
})
