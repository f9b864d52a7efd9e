import { execFileSync } from 'node:child_process'

/** The end-to-end tests run the compiled platform exactly as `npm start` does: build it once. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  })
}
