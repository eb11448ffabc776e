/**
 * Waiting one turn of the event loop, so that timers, I/O and messages (a progress display, a Stop button's
 * message to a Web Worker) run between epochs: setImmediate in Node, a MessageChannel message elsewhere
 * (a browser's setTimeout(0) waits at least 4 ms once nested, 7 s over the 1850 epochs of a spirals run).
 */
export const nextTurn: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : (() => {
        const channel = new MessageChannel();
        const waiting: (() => void)[] = [];
        (channel.port1 as unknown as { onmessage: () => void }).onmessage = () => waiting.shift()?.();
        return () =>
          new Promise<void>((resolve) => {
            waiting.push(resolve);
            channel.port2.postMessage(undefined);
          });
      })();
