// `npm install` / `npm ci` run this (the `prepare` script): compile the TypeScript once, so
// `npm start` only runs the built JavaScript. A production install (`npm ci --omit=dev`) has no
// compiler: it keeps the `dist/` that an earlier build made, and says so.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
/** The compiler's entry point, from TypeScript's package.json (its exports hide `bin/`). */
function findTsc() {
  try {
    const manifest = require.resolve('typescript/package.json')
    const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin
    const tsc = join(dirname(manifest), typeof bin === 'string' ? bin : bin.tsc)
    return existsSync(tsc) ? tsc : undefined
  } catch {
    return undefined
  }
}
const tsc = findTsc()

if (tsc) {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
} else if (existsSync('dist/src/main.js')) {
  console.log('prepare: TypeScript is not installed (production install); using the existing dist/')
} else {
  console.error(
    'prepare: dist/ is missing and TypeScript is not installed.\n' +
      'Build first with a full install (npm ci, then npm run build), then run npm ci --omit=dev.',
  )
  process.exit(1)
}
