import { compileLorePattern, isRegexKey } from './lore-pattern.js'
import type { LoreEntry, Persona } from './persona.js'
import { DEFAULT_USER_NAME, expandMacros, macroValues } from './persona-macros.js'

/*
 * Lorebook activation for one turn. Pure; re-exported by `persona-prompt.ts`, which is what
 * callers import.
 */

/** One lorebook entry chosen for this turn. */
export interface ActivatedLore {
  readonly entry: LoreEntry
  /** The entry's content with decorators and comments removed and macros expanded. */
  readonly content: string
  /** `estimateTokens(content)`. */
  readonly tokens: number
  /** Why it is in: `constant`, or the key that matched. */
  readonly reason: { readonly kind: 'constant' } | { readonly kind: 'key'; readonly key: string }
}

export interface ActiveLoreOptions {
  /** Token estimator used for the budget (the context builder's calibrated one). */
  readonly estimateTokens: (text: string) => number
  /** The person's display name, for macros in lore content. Default {@link DEFAULT_USER_NAME}. */
  readonly user?: string | undefined
  /** Overrides `persona.loreTokenBudget` (e.g. to cap lore to a share of the context). */
  readonly tokenBudget?: number | undefined
  /** Overrides `persona.loreScanDepth`. */
  readonly scanDepth?: number | undefined
}

interface Decorators {
  readonly body: string
  readonly activate: boolean
  readonly dontActivate: boolean
  readonly scanDepth?: number | undefined
  readonly additionalKeys: readonly string[]
  readonly excludeKeys: readonly string[]
}

/**
 * The lorebook entries active for this turn, in insertion order (lower `insertionOrder`
 * first), never throwing.
 *
 * `recentTexts` are the conversation's message texts, oldest first, INCLUDING the new user
 * message; only the last `scanDepth` (default `persona.loreScanDepth`) are scanned.
 * - disabled entries never activate; `constant` entries always do (within the budget);
 * - keyword entries activate when one of `keys` occurs in the scanned text (substring match,
 *   case-insensitive unless the entry is `caseSensitive`); `selective` entries additionally need
 *   one of `secondaryKeys` (a selective entry without secondary keys acts on its keys alone);
 * - `useRegex` entries (and keys written `/pattern/flags`) treat keys as regular expressions,
 *   run by a linear-time engine (`lore-pattern.ts`), so no pattern can stall a turn; a regex
 *   that is invalid or needs backtracking (lookahead, backreferences) never matches and never
 *   throws;
 * - V3 decorators at the top of `content` are honoured where cheap (`@@activate`,
 *   `@@dont_activate`, `@@scan_depth N`, `@@additional_keys a,b`, `@@exclude_keys a,b`) and
 *   every `@@` line is stripped; `{{// comments}}` are not matched and not inserted;
 * - when the total exceeds the budget (default `persona.loreTokenBudget`), entries are dropped
 *   lowest `priority` first (ties: keyword before constant, then the later insertion order),
 *   until the rest fits.
 * Recursive scanning (lore triggering lore) is not done.
 */
export function activeLore(
  persona: Persona,
  recentTexts: readonly string[],
  opts: ActiveLoreOptions,
): ActivatedLore[] {
  const defaultDepth = Math.max(0, Math.floor(opts.scanDepth ?? persona.loreScanDepth))
  const values = macroValues(persona, opts.user ?? DEFAULT_USER_NAME)
  const windows = new Map<number, ScanWindow>()
  const scanWindow = (depth: number): ScanWindow => {
    let window = windows.get(depth)
    if (window === undefined) {
      const text = depth <= 0 ? '' : recentTexts.slice(-depth).map(stripComments).join('\n')
      window = { text, lower: text.toLowerCase() }
      windows.set(depth, window)
    }
    return window
  }

  const chosen: { lore: ActivatedLore; index: number }[] = []
  persona.lore.forEach((entry, index) => {
    if (!entry.enabled) return
    const deco = parseDecorators(entry.content)
    if (deco.dontActivate) return
    let reason: ActivatedLore['reason'] | undefined
    if (entry.constant || deco.activate) reason = { kind: 'constant' }
    else {
      const text = scanWindow(deco.scanDepth ?? defaultDepth)
      if (text.text === '') return
      const key = firstMatch(
        deco.additionalKeys.length > 0 ? [...entry.keys, ...deco.additionalKeys] : entry.keys,
        text,
        entry,
      )
      if (key === undefined) return
      if (entry.selective && entry.secondaryKeys.length > 0) {
        if (firstMatch(entry.secondaryKeys, text, entry) === undefined) return
      }
      if (firstMatch(deco.excludeKeys, text, entry) !== undefined) return
      reason = { kind: 'key', key }
    }
    const content = expandMacros(deco.body, values).trim()
    if (content === '') return
    chosen.push({ lore: { entry, content, tokens: opts.estimateTokens(content), reason }, index })
  })

  const budget = opts.tokenBudget ?? persona.loreTokenBudget
  let total = chosen.reduce((sum, c) => sum + c.lore.tokens, 0)
  if (total > budget) {
    const dropOrder = [...chosen].sort(
      (a, b) =>
        a.lore.entry.priority - b.lore.entry.priority ||
        Number(a.lore.reason.kind === 'constant') - Number(b.lore.reason.kind === 'constant') ||
        b.lore.entry.insertionOrder - a.lore.entry.insertionOrder ||
        b.index - a.index,
    )
    const dropped = new Set<number>()
    for (const c of dropOrder) {
      if (total <= budget) break
      dropped.add(c.index)
      total -= c.lore.tokens
    }
    for (let i = chosen.length - 1; i >= 0; i--) {
      if (dropped.has(chosen[i]?.index ?? -1)) chosen.splice(i, 1)
    }
  }
  return chosen
    .sort((a, b) => a.lore.entry.insertionOrder - b.lore.entry.insertionOrder || a.index - b.index)
    .map((c) => c.lore)
}

function stripComments(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{\s*\/\/[\s\S]*?\}\}/g, '') : text
}

/** The scanned messages, and the same lower-cased once for case-insensitive keys. */
interface ScanWindow {
  readonly text: string
  readonly lower: string
}

function firstMatch(
  keys: readonly string[],
  text: ScanWindow,
  entry: Pick<LoreEntry, 'caseSensitive' | 'useRegex'>,
): string | undefined {
  for (const key of keys) {
    if (key.trim() === '') continue
    if (keyMatches(key, text, entry)) return key
  }
  return undefined
}

function keyMatches(
  key: string,
  window: ScanWindow,
  entry: Pick<LoreEntry, 'caseSensitive' | 'useRegex'>,
): boolean {
  if (isRegexKey(key, entry)) {
    const pattern = compileLorePattern(key, entry)
    return pattern.ok && pattern.test(window.text)
  }
  return entry.caseSensitive ? window.text.includes(key) : window.lower.includes(key.toLowerCase())
}

const DECORATOR = /^@@@?([a-z_]+)(?:\s+(.*))?$/i

function parseDecorators(content: string): Decorators {
  if (!content.startsWith('@@')) {
    return {
      body: stripComments(content),
      activate: false,
      dontActivate: false,
      additionalKeys: [],
      excludeKeys: [],
    }
  }
  const lines = content.replace(/\r/g, '').split('\n')
  let activate = false
  let dontActivate = false
  let scanDepth: number | undefined
  const additionalKeys: string[] = []
  const excludeKeys: string[] = []
  let i = 0
  for (; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (!line.startsWith('@@')) break
    const m = DECORATOR.exec(line.trim())
    // A `@@@` line is a fallback for the decorator above it; we only need the first we know.
    if (!m || line.startsWith('@@@')) continue
    const name = (m[1] ?? '').toLowerCase()
    const arg = (m[2] ?? '').trim()
    if (name === 'activate') activate = true
    else if (name === 'dont_activate') dontActivate = true
    else if (name === 'scan_depth' && /^\d+$/.test(arg)) scanDepth = Number(arg)
    else if (name === 'additional_keys') additionalKeys.push(...splitKeys(arg))
    else if (name === 'exclude_keys') excludeKeys.push(...splitKeys(arg))
  }
  return {
    body: stripComments(lines.slice(i).join('\n')),
    activate,
    dontActivate,
    scanDepth,
    additionalKeys,
    excludeKeys,
  }
}

function splitKeys(arg: string): string[] {
  return arg
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
}
