/**
 * A fixed set of long-lived worker processes that run one task each at a time, for a caller that hands
 * out tasks itself (the queue worker, whose tasks arrive as BullMQ jobs). A process that dies is replaced
 * at the next task.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { WorkerCommand } from './pool.js';
import { lineReader, type FromWorker, type TaskFailure, type ToWorker, type WorkerSettings } from './protocol.js';
import type { RunTask } from './tasks.js';

type SlotOutcome =
  { readonly ok: true; readonly skipped: boolean } | { readonly ok: false; readonly failure: TaskFailure };

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  stderr: string;
  current?: { onMessage: (m: FromWorker) => void; done: (o: SlotOutcome) => void };
}

export interface Slots {
  /** Run `task` on a free process; `onMessage` gets its events and progress. */
  readonly run: (task: RunTask, settings: WorkerSettings, onMessage: (m: FromWorker) => void) => Promise<SlotOutcome>;
  /** Stop every run in flight (checkpointed) and end the processes. */
  readonly close: () => Promise<void>;
}

export const workerSlots = (count: number, command: WorkerCommand): Slots => {
  const start = (): Slot => {
    const child = spawn(command.command, [...command.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(command.env !== undefined ? { env: command.env } : {}),
    });
    let markReady: () => void = () => {};
    const slot: Slot = { child, ready: new Promise<void>((r) => (markReady = r)), busy: false, stderr: '' };
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (c: Buffer) => {
      slot.stderr = (slot.stderr + c.toString()).slice(-4000);
    });
    child.stdout?.on(
      'data',
      lineReader((line) => {
        let m: FromWorker;
        try {
          m = JSON.parse(line) as FromWorker;
        } catch {
          return;
        }
        if (m._tag === 'ready') markReady();
        else if (m._tag === 'done') slot.current?.done({ ok: true, skipped: m.skipped });
        else if (m._tag === 'failed') slot.current?.done({ ok: false, failure: m.failure });
        else slot.current?.onMessage(m);
      }),
    );
    child.on('close', (code, signal) => {
      markReady();
      slot.current?.done({
        ok: false,
        failure: {
          kind: 'failed',
          message: `the worker process ended with ${signal ?? `exit status ${String(code)}`}${slot.stderr.trim() === '' ? '' : `: ${slot.stderr.trim().split('\n').slice(-3).join(' | ')}`}`,
        },
      });
    });
    return slot;
  };
  const slots: Slot[] = Array.from({ length: count }, start);
  const alive = (s: Slot) => s.child.exitCode === null && s.child.signalCode === null;
  const send = (s: Slot, m: ToWorker) => {
    if (s.child.stdin?.writable === true) s.child.stdin.write(`${JSON.stringify(m)}\n`);
  };
  return {
    run: async (task, settings, onMessage) => {
      const i = slots.findIndex((s) => !s.busy);
      if (i < 0) throw new Error('workerSlots: more tasks than processes');
      if (!alive(slots[i]!)) slots[i] = start();
      const slot = slots[i]!;
      slot.busy = true;
      try {
        await slot.ready;
        if (!alive(slot))
          return {
            ok: false,
            failure: {
              kind: 'failed',
              message: `the worker process could not start: ${slot.stderr.trim() || 'no message'}`,
            },
          };
        return await new Promise<SlotOutcome>((resolve) => {
          slot.current = {
            onMessage,
            done: (o) => {
              slot.current = undefined;
              resolve(o);
            },
          };
          send(slot, { _tag: 'task', task, settings });
        });
      } finally {
        slot.busy = false;
      }
    },
    close: async () => {
      await Promise.all(
        slots.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (!alive(s)) return resolve();
              s.child.once('close', () => resolve());
              send(s, { _tag: 'stop' });
              s.child.stdin?.end();
            }),
        ),
      );
    },
  };
};
