import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

/** A persona reply with the Telegram HTML it must render to and the text a reader sees. */
export interface CorpusReply {
  readonly name: string
  readonly markdown: string
  readonly html: string
  readonly text: string
}

/** The replies of `tests/fixtures/formatting/replies.yaml`. */
export function loadCorpus(): CorpusReply[] {
  const file = join(import.meta.dirname, '../fixtures/formatting/replies.yaml')
  return parse(readFileSync(file, 'utf8')) as CorpusReply[]
}

/** A small seeded PRNG (mulberry32), so random cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PIECES = [
  'word',
  'she',
  'smiles',
  '2',
  'x',
  'snake_case',
  'Привет',
  'こんにちは',
  'مرحبا',
  '😀',
  '👋🏽',
  ' ',
  ' ',
  ' ',
  ' ',
  '\n',
  '\n\n',
  '*',
  '**',
  '***',
  '_',
  '__',
  '~~',
  '||',
  '`',
  '```',
  '```py\n',
  '~~~\n',
  '\n```\n',
  '[',
  ']',
  '](https://example.com/a?b=1&c=2)',
  '(',
  ')',
  '> ',
  '- ',
  '1. ',
  '# ',
  '| a | b |\n|---|---|\n',
  '|',
  '&',
  '&amp;',
  '&#169;',
  '<',
  '>',
  '<b>',
  '</i>',
  '<:pepe:123456789>',
  '\\',
  '"',
  "'",
  '.',
  '!',
  '?',
  '---\n',
  'paypal.com',
  '![i](https://x.y/i.png)',
  '<https://example.com>',
  '\t',
  '    ',
]

/** Random Markdown-ish text: the markers models use, mixed with words in several scripts. */
export function randomMarkdown(
  random: () => number,
  pieces = 1 + Math.floor(random() * 60),
): string {
  let out = ''
  for (let i = 0; i < pieces; i++) out += PIECES[Math.floor(random() * PIECES.length)]
  return out
}

const WORDS = [
  'the',
  'rain',
  'falls',
  'softly',
  'she',
  'whispers',
  'again',
  'Mara',
  '元気',
  'друг',
  '🌙',
]

/** A well-formed random reply: paragraphs with balanced emphasis, spoilers, code, lists, quotes, fences. */
export function randomReply(
  random: () => number,
  paragraphs = 1 + Math.floor(random() * 12),
): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T
  const sentence = () => {
    const words = Array.from({ length: 3 + Math.floor(random() * 14) }, () => pick(WORDS))
    const at = Math.floor(random() * words.length)
    const wrap = pick(['*', '**', '***', '_', '~~', '||', '`', ''])
    if (wrap) words[at] = `${wrap}${words[at]}${wrap}`
    return `${words.join(' ')}${pick(['.', '!', '?', '…'])}`
  }
  const block = () =>
    pick([
      () => Array.from({ length: 1 + Math.floor(random() * 8) }, sentence).join(' '),
      () => `> ${sentence()}\n> ${sentence()}`,
      () => `- ${sentence()}\n- ${sentence()}`,
      () => `1. ${sentence()}\n2. ${sentence()}`,
      () =>
        `\`\`\`ts\n${Array.from({ length: 1 + Math.floor(random() * 30) }, () => `const a = ${Math.floor(random() * 99)}`).join('\n')}\n\`\`\``,
      () => '***',
      () => `## ${sentence()}`,
    ])()
  return Array.from({ length: paragraphs }, block).join('\n\n')
}
