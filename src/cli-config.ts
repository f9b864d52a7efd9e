import { type Config, ConfigError, loadConfig, readEnv } from './config.js'

/**
 * The configuration for a command-line script (`npm run migrate`, `backup`, `restore`,
 * `register-commands`): validated like `npm start`; when it is wrong the message naming every
 * wrong variable goes to stderr and the script gets `null` (it then exits 1).
 */
export function loadCliConfig(): Config | null {
  try {
    return loadConfig(readEnv())
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      return null
    }
    throw err
  }
}
