import { int, oneOf, str, type VarSpec } from './config-values.js'

/** A comma-separated list of model names; empty = none. */
const modelList = (example: string): VarSpec<string[]> => ({
  expected: 'a comma-separated list of model names',
  example,
  parse: (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    return items.every((s) => /^[\w.:/-]+$/.test(s)) ? items : undefined
  },
})

/** Pictures, files and model choice (README "Pictures, files and models"). */
export const MEDIA_SPEC = {
  OLLAMA_VISION_MODEL: str('a model name that can see pictures', 'gemma3'),
  MAX_IMAGE_BYTES: { ...int(1024, 100 * 1024 * 1024, '10485760'), default: '10485760' },
  MAX_FILE_CHARS: { ...int(100, 1_000_000, '20000'), default: '20000' },
  IMAGE_MESSAGE_COST: { ...int(1, 1000, '5'), default: '5' },
  IMAGES_FOR: { ...oneOf(['all', 'premium'] as const, 'all'), default: 'all' },
  ALLOWED_MODELS: { ...modelList('llama3.2,gemma3,qwen2.5vl'), default: '' },
  PREMIUM_MODELS: { ...modelList('llama3.1:70b'), default: '' },
} satisfies Record<string, VarSpec<unknown>>
