import { existsSync, readFileSync } from 'node:fs'
import { Gauge, type Registry } from 'prom-client'

/** The version in package.json, found from here in `src/` (tsx) or `dist/src/` (built). */
export function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    const file = new URL(up, import.meta.url)
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    if (pkg.name === 'justlayme' && pkg.version) return pkg.version
  }
  return 'unknown'
}

/** `justlayme_build_info{version, node_version} 1`: which build runs, for dashboards and alerts. */
export function registerBuildInfo(registry: Registry): void {
  if (registry.getSingleMetric('justlayme_build_info')) return
  new Gauge({
    name: 'justlayme_build_info',
    help: 'Always 1; labels say which JustLayMe version runs on which Node.js',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  }).set({ version: packageVersion(), node_version: process.version }, 1)
}
