import { execFileSync } from 'node:child_process'

/**
 * The end-to-end tests run the compiled platform exactly as `npm start` does: build it once.
 * `E2E_SKIP_BUILD=1` reuses an existing `dist/` (local iteration while others edit the tree).
 */
export default function setup(): void {
  if (process.env.E2E_SKIP_BUILD === '1') return
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  })
}
