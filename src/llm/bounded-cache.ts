import NodeCache from 'node-cache'

export interface BoundedCacheOptions {
  /** Entries kept at most; the oldest entry makes room for a new one. */
  readonly maxKeys: number
  readonly ttlSeconds: number
}

/**
 * A node-cache with a hard size bound (oldest entry evicted instead of node-cache's
 * ECACHEFULL error), no background timer, and `getOrLoad` that shares one load between
 * concurrent callers and never caches a failure.
 */
export class BoundedCache {
  readonly #cache: NodeCache
  readonly #maxKeys: number
  readonly #ttlSeconds: number
  readonly #loading = new Map<string, Promise<unknown>>()

  constructor(options: BoundedCacheOptions) {
    this.#maxKeys = options.maxKeys
    this.#ttlSeconds = options.ttlSeconds
    this.#cache = new NodeCache({
      stdTTL: options.ttlSeconds,
      checkperiod: 0,
      useClones: false,
      maxKeys: options.maxKeys,
    })
  }

  get<T>(key: string): T | undefined {
    return this.#cache.get<T>(key)
  }

  set(key: string, value: unknown, ttlSeconds = this.#ttlSeconds): void {
    if (!this.#cache.has(key) && this.#cache.keys().length >= this.#maxKeys) {
      for (const k of this.#cache.keys()) {
        // `get` drops expired entries; if none expired, drop the oldest.
        if (this.#cache.get(k) === undefined) continue
        this.#cache.del(k)
        break
      }
    }
    this.#cache.set(key, value, ttlSeconds)
  }

  delete(key: string): void {
    this.#cache.del(key)
  }

  /** Deletes every live entry whose value matches; returns how many went. */
  deleteWhere<T>(matches: (value: T) => boolean): number {
    let deleted = 0
    for (const key of this.#cache.keys()) {
      const value = this.#cache.get<T>(key)
      if (value !== undefined && matches(value)) deleted += this.#cache.del(key)
    }
    return deleted
  }

  get size(): number {
    return this.#cache.keys().length
  }

  async getOrLoad<T>(key: string, load: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    const hit = this.#cache.get<T>(key)
    if (hit !== undefined) return hit
    const pending = this.#loading.get(key)
    if (pending !== undefined) return pending as Promise<T>
    const promise = load().then(
      (value) => {
        this.#loading.delete(key)
        this.set(key, value, ttlSeconds)
        return value
      },
      (err: unknown) => {
        this.#loading.delete(key)
        throw err
      },
    )
    this.#loading.set(key, promise)
    return promise
  }

  clear(): void {
    this.#cache.flushAll()
    this.#loading.clear()
  }
}
