/**
 * Starts rendering a reply from the core's stream. The core decides once whether to answer:
 * a stream that ends without any event means "not for me" (an unaddressed group message).
 * Resolves undefined then; otherwise the same stream, starting with its first event.
 */
export async function startReply<T>(
  events: AsyncIterable<T>,
): Promise<AsyncIterable<T> | undefined> {
  const iterator = events[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done) return undefined
  const rest: AsyncIterable<T> = { [Symbol.asyncIterator]: () => iterator }
  return (async function* () {
    try {
      yield first.value
      yield* rest
    } finally {
      // A renderer that stops early (even right after the first event) closes the core's stream.
      await iterator.return?.()
    }
  })()
}
