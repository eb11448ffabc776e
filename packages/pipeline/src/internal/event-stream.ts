/**
 * A push source of events as an async iterable: the producer runs at once and its events are buffered
 * until the consumer pulls them; the iteration ends after the producer's promise settles (a `finished` or
 * `failed` event is always the last one the pipeline emits). A rejected producer rethrows in the consumer;
 * a consumer that leaves the loop early calls `stop` (the pipeline then ends after its current step).
 */
export const eventStream = <T>(
  produce: (push: (event: T) => void) => Promise<unknown>,
  stop?: () => void,
): AsyncIterable<T> => ({
  [Symbol.asyncIterator]: () => {
    const buffer: T[] = [];
    let done = false;
    let failure: { error: unknown } | undefined;
    let wake: (() => void) | undefined;
    const signal = () => {
      wake?.();
      wake = undefined;
    };
    produce((event) => {
      buffer.push(event);
      signal();
    }).then(
      () => {
        done = true;
        signal();
      },
      (error: unknown) => {
        failure = { error };
        done = true;
        signal();
      },
    );
    return {
      next: async (): Promise<IteratorResult<T>> => {
        while (buffer.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
        if (buffer.length > 0) return { value: buffer.shift()!, done: false };
        if (failure !== undefined) throw failure.error;
        return { value: undefined, done: true };
      },
      // The consumer left the loop (`break`, `return`, an exception): stop the producer.
      return: async (): Promise<IteratorResult<T>> => {
        stop?.();
        buffer.length = 0;
        return { value: undefined, done: true };
      },
    };
  },
});
