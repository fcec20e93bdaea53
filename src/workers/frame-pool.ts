import { Piscina } from 'piscina';
import {
  FramepipeError,
  PoisonFrameError,
  ProcessorError,
  ResultUnstorableError,
} from '../shared/errors.js';
import type { FrameInput, ProcessOptions } from './processors/processor.js';
import type { FrameTask, TaskOutcome } from './tasks/process-frame.js';

export interface FramePoolOptions {
  readonly threads: number;
  /** Tasks allowed to wait for a thread; the consumer's maxInFlight keeps us below it. */
  readonly maxQueue: number;
  readonly processorUrl: string;
  readonly closeTimeoutMs: number;
}

/** A processor's result, and the time it spent on the frame (not waiting for a thread). */
export interface Processed {
  readonly value: unknown;
  readonly processMs: number;
}

export interface FramePool {
  /**
   * Runs a frame once a thread is free (`onThread` is called then); `signal` aborting cancels
   * the task: its thread is replaced.
   */
  run(
    frame: FrameInput,
    options: ProcessOptions,
    signal?: AbortSignal,
    onThread?: () => void,
  ): Promise<Processed>;
  /** Tasks waiting for a thread, and the share of time threads were busy (0-1). */
  load(): { queueSize: number; utilization: number };
  /** Lets running tasks finish (up to closeTimeoutMs); `now`: ends their threads at once. */
  close(now?: boolean): Promise<void>;
}

// .ts under tsx (tests), .js from dist.
const TASK_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const TASK_FILENAME = new URL(`./tasks/process-frame${TASK_EXT}`, import.meta.url).href;

/**
 * Bytes that can be transferred to a thread without detaching anyone else's data. ioredis
 * hands out Buffers that are views into a larger reply chunk; structured clone would copy the
 * whole chunk, so copy just the frame once and transfer that. A Buffer that owns its memory
 * is transferred as is.
 */
export function transferableBytes(data: Uint8Array): { bytes: Uint8Array; copied: boolean } {
  const owns =
    data.buffer instanceof ArrayBuffer &&
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength;
  return owns ? { bytes: data, copied: false } : { bytes: new Uint8Array(data), copied: true };
}

/** Rebuilds the error a task returned, keeping its code so retry decisions still work. */
export function outcomeError(outcome: Extract<TaskOutcome, { ok: false }>): Error {
  if (outcome.code === 'FRAMEPIPE_ERR_POISON_FRAME') {
    return new PoisonFrameError(outcome.message);
  }
  if (outcome.code === 'FRAMEPIPE_ERR_FRAME_TOO_LARGE') {
    return new FramepipeError('FRAMEPIPE_ERR_FRAME_TOO_LARGE', outcome.message);
  }
  if (outcome.code === 'FRAMEPIPE_ERR_RESULT_UNSTORABLE') {
    return new ResultUnstorableError(outcome.message);
  }
  // The message alone, as an in-line processor's error gives it: one reason wherever it ran.
  return new ProcessorError(outcome.message);
}

export function createFramePool(options: FramePoolOptions): FramePool {
  const pool = new Piscina<FrameTask, TaskOutcome>({
    filename: TASK_FILENAME,
    minThreads: options.threads,
    maxThreads: options.threads,
    maxQueue: options.maxQueue,
    closeTimeout: options.closeTimeoutMs,
  });
  let closing: Promise<void> | undefined;
  // Frames wait here for a free thread, not in Piscina's queue: a frame's time limit starts
  // when a thread takes it (onThread), and the queue size stays ours to report.
  const threads = new Slots(options.threads);
  return {
    async run(frame, processOptions, signal, onThread) {
      await threads.acquire();
      try {
        onThread?.();
        return await runTask(frame, processOptions, signal);
      } finally {
        threads.release();
      }
    },
    load() {
      return { queueSize: threads.waiting + pool.queueSize, utilization: pool.utilization };
    },
    close(now = false) {
      return (closing ??= now ? pool.destroy() : pool.close());
    },
  };

  async function runTask(
    frame: FrameInput,
    processOptions: ProcessOptions,
    signal: AbortSignal | undefined,
  ): Promise<Processed> {
    const { bytes } = transferableBytes(frame.data);
    const task: FrameTask = {
      processorUrl: options.processorUrl,
      frame: { ...frame, data: bytes },
      options: processOptions,
    };
    const outcome = await pool.run(task, {
      transferList: [bytes.buffer as ArrayBuffer],
      signal: signal ?? null,
    });
    if (!outcome.ok) {
      throw outcomeError(outcome);
    }
    return { value: outcome.value, processMs: outcome.processMs };
  }
}

/** A counting semaphore: at most `size` holders, the rest wait in order. */
class Slots {
  readonly #waiters: (() => void)[] = [];
  #free: number;

  constructor(size: number) {
    this.#free = size;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) {
      this.#free++;
    } else {
      next();
    }
  }
}
