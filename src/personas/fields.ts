/** A persona file problem, naming the field at fault (`data.alternate_greetings`). */
export class PersonaFieldError extends Error {
  readonly field: string
  constructor(field: string, message: string) {
    super(field === '' ? message : `${field} ${message}`)
    this.name = 'PersonaFieldError'
    this.field = field
  }
}

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Joins a path and a key: `join('data', 'name')` is `data.name`, `join('', 'name')` is `name`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path === '' ? key : `${path}.${key}`
}

/**
 * Reads typed fields out of a parsed document, leniently (absent or `null` gives the default)
 * but strictly on type: a wrong type throws {@link PersonaFieldError} with the field's path.
 * Strings lose `\r`.
 */
export class FieldReader {
  readonly obj: JsonObject
  readonly path: string

  constructor(obj: JsonObject, path: string) {
    this.obj = obj
    this.path = path
  }

  field(key: string): string {
    return join(this.path, key)
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null
  }

  string(key: string, fallback = ''): string {
    const value = this.obj[key]
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'string') throw new PersonaFieldError(this.field(key), 'must be a string')
    return value.replace(/\r/g, '')
  }

  /** A string that is absent when missing or blank. */
  optionalString(key: string, maxLength?: number): string | undefined {
    const value = this.string(key).trim()
    if (value === '') return undefined
    return this.#within(key, value, maxLength)
  }

  requiredString(key: string, maxLength?: number): string {
    const value = this.obj[key]
    if (typeof value !== 'string' || value.trim() === '') {
      throw new PersonaFieldError(this.field(key), 'must be a non-empty string')
    }
    return this.#within(key, value.replace(/\r/g, '').trim(), maxLength)
  }

  #within(key: string, value: string, maxLength: number | undefined): string {
    if (maxLength !== undefined && [...value].length > maxLength) {
      throw new PersonaFieldError(this.field(key), `must be at most ${maxLength} characters`)
    }
    return value
  }

  strings(key: string): string[] {
    const value = this.obj[key]
    if (value === undefined || value === null) return []
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new PersonaFieldError(this.field(key), 'must be an array of strings')
    }
    return value.map((v: string) => v.replace(/\r/g, ''))
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.obj[key]
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'boolean') {
      throw new PersonaFieldError(this.field(key), 'must be true or false')
    }
    return value
  }

  number(key: string, fallback: number, min = Number.NEGATIVE_INFINITY): number {
    const value = this.obj[key]
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      const bound = min === Number.NEGATIVE_INFINITY ? '' : ` >= ${min}`
      throw new PersonaFieldError(this.field(key), `must be a number${bound}`)
    }
    return value
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.obj[key]
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw new PersonaFieldError(
        this.field(key),
        `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
      )
    }
    return value as T
  }

  object(key: string): FieldReader | undefined {
    const value = this.obj[key]
    if (value === undefined || value === null) return undefined
    if (!isObject(value)) throw new PersonaFieldError(this.field(key), 'must be an object')
    return new FieldReader(value, this.field(key))
  }

  /** An array of objects, each as a reader. */
  objects(key: string): FieldReader[] {
    const value = this.obj[key]
    if (value === undefined || value === null) return []
    if (!Array.isArray(value)) throw new PersonaFieldError(this.field(key), 'must be an array')
    return value.map((item, i) => {
      const path = join(this.field(key), i)
      if (!isObject(item)) throw new PersonaFieldError(path, 'must be an object')
      return new FieldReader(item, path)
    })
  }
}
