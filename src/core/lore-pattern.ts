import { RE2JS } from 're2js'
import type { LoreEntry, Persona } from './persona.js'

/*
 * Lorebook keys written as regular expressions come from card files found on the internet and
 * run on whatever people type. JavaScript's backtracking `RegExp` can take exponential time on
 * patterns like `((a+))+$`, so keys are compiled with RE2JS, a pure-JS port of RE2 whose
 * matching time is linear in the input. Patterns RE2 cannot express (lookahead,
 * backreferences) are rejected: they never match, and the repository logs them at load.
 */

/** A lorebook key compiled for linear-time matching, or why it could not be. */
export type LorePattern =
  | { readonly ok: true; test(text: string): boolean }
  | { readonly ok: false; readonly reason: string }

const SLASHED = /^\/(.+)\/([a-z]*)$/s
/** `\uXXXX` and `\u{X…}` are JavaScript escapes; RE2 spells them `\x{…}`. */
const UNICODE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/g
const MAX_CACHED = 2_000

const cache = new Map<string, LorePattern>()

/** True when the key is matched as a regular expression (`useRegex`, or written `/…/flags`). */
export function isRegexKey(key: string, entry: Pick<LoreEntry, 'useRegex'>): boolean {
  return entry.useRegex || SLASHED.test(key)
}

/**
 * Compiles a regex key with JavaScript flags (`i`, `m`, `s`; `g`, `y`, `u`, `d`, `v` change
 * nothing for a yes/no test). Entries that are not `caseSensitive` match case-insensitively
 * unless the key is written `/…/flags`. Never throws; results are memoised by source and flags.
 */
export function compileLorePattern(
  key: string,
  entry: Pick<LoreEntry, 'caseSensitive' | 'useRegex'>,
): LorePattern {
  const slashed = SLASHED.exec(key)
  const source = slashed ? (slashed[1] ?? '') : key
  let flags = slashed ? (slashed[2] ?? '') : ''
  if (!entry.caseSensitive && !slashed && !flags.includes('i')) flags += 'i'
  const cacheKey = `${flags}/${source}`
  let pattern = cache.get(cacheKey)
  if (pattern === undefined) {
    pattern = compile(source, flags)
    if (cache.size >= MAX_CACHED) cache.clear()
    cache.set(cacheKey, pattern)
  }
  return pattern
}

function compile(source: string, flags: string): LorePattern {
  const unknown = flags.replace(/[imsgyudv]/g, '')
  if (unknown !== '') return { ok: false, reason: `unknown regex flags "${unknown}"` }
  let re2Flags = RE2JS.LOOKBEHINDS
  if (flags.includes('i')) re2Flags |= RE2JS.CASE_INSENSITIVE
  if (flags.includes('m')) re2Flags |= RE2JS.MULTILINE
  if (flags.includes('s')) re2Flags |= RE2JS.DOTALL
  try {
    const re = RE2JS.compile(
      source.replace(UNICODE_ESCAPE, (_m, pre: string, braced?: string, plain?: string) => {
        return `${pre}\\x{${braced ?? plain}}`
      }),
      re2Flags,
    )
    return { ok: true, test: (text) => re.test(text) }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    return { ok: false, reason: `not supported by the linear-time regex engine: ${reason}` }
  }
}

/** A regex key of a persona's lorebook that will never match, and why. */
export interface RejectedLoreKey {
  /** The entry's name, else `#<index>` (0-based position in the lorebook). */
  readonly entry: string
  readonly key: string
  readonly reason: string
}

/**
 * The persona's regex lore keys (keys, secondary keys and `@@additional_keys`/`@@exclude_keys`
 * are all keys) that cannot be compiled for linear-time matching; the repository logs them.
 */
export function rejectedLoreKeys(persona: Pick<Persona, 'lore'>): RejectedLoreKey[] {
  const rejected: RejectedLoreKey[] = []
  persona.lore.forEach((entry, index) => {
    const decoratorKeys = entry.content
      .split('\n')
      .filter((line) => /^@@(?:additional|exclude)_keys\s/i.test(line))
      .flatMap((line) => line.replace(/^@@\w+\s+/, '').split(','))
      .map((key) => key.trim())
    for (const key of [...entry.keys, ...entry.secondaryKeys, ...decoratorKeys]) {
      if (key.trim() === '' || !isRegexKey(key, entry)) continue
      const pattern = compileLorePattern(key, entry)
      if (!pattern.ok) {
        rejected.push({ entry: entry.name ?? `#${index}`, key, reason: pattern.reason })
      }
    }
  })
  return rejected
}
