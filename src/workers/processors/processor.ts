import { ProcessorError } from '../../shared/errors.js';

/** What a processor sees of one frame; `data` is the JPEG (a Uint8Array once it crossed a thread). */
export interface FrameInput {
  readonly id: string;
  readonly source: string;
  readonly seq: number;
  /** Capture time in microseconds since the epoch. */
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly meta?: unknown;
}

/** Options every processor receives; plain data so it can cross to a pool thread. */
export interface ProcessOptions {
  readonly thumbnailDir: string;
  readonly thumbnailWidth: number;
  /** The plate processor's second look (worker.plateSecondLook); absent: on. */
  readonly plateSecondLook?: boolean;
}

/**
 * A processor module's default export. `runsOn: 'inline'` runs on the main thread with
 * maxInFlight frames at once (right for sharp, which already uses libuv's pool); `'pool'`
 * runs on the Piscina threads (right for work that burns CPU in JavaScript or WebAssembly).
 * The returned value must be JSON-serialisable: it becomes the result's payload.
 * `signal` (the worker always passes one) aborts with a ProcessTimeoutError when the frame
 * passes worker.processTimeoutMs: an in-line processor that hands it on (fetch, a child
 * process, a loop that checks it) stops its work instead of running on unseen. A pool
 * processor's thread is ended at that point instead, so on a thread it never aborts.
 */
export interface Processor {
  readonly name: string;
  readonly runsOn: 'inline' | 'pool';
  process(frame: FrameInput, options: ProcessOptions, signal?: AbortSignal): Promise<unknown>;
}

export const PROCESSOR_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a module namespace's default export; throws ProcessorError naming what is wrong. */
export function asProcessor(mod: unknown, where: string): Processor {
  const candidate = (mod as { default?: unknown } | null)?.default;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new ProcessorError(`${where}: the module has no default export object`);
  }
  const p = candidate as Partial<Record<keyof Processor, unknown>>;
  if (typeof p.name !== 'string' || !PROCESSOR_NAME_PATTERN.test(p.name)) {
    throw new ProcessorError(`${where}: default export needs a name of 1-64 of A-Z a-z 0-9 _ . -`);
  }
  if (p.runsOn !== 'inline' && p.runsOn !== 'pool') {
    throw new ProcessorError(`${where}: default export needs runsOn 'inline' or 'pool'`);
  }
  if (typeof p.process !== 'function') {
    throw new ProcessorError(`${where}: default export needs a process(frame, options) function`);
  }
  return candidate as Processor;
}
