import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  asProcessor,
  type FrameInput,
  type ProcessOptions,
  type Processor,
} from '../processors/processor.js';

/** One frame for a pool thread; `frame.data`'s ArrayBuffer arrives transferred, not copied. */
export interface FrameTask {
  readonly processorUrl: string;
  readonly frame: FrameInput;
  readonly options: ProcessOptions;
}

/**
 * Errors are returned as data, not thrown: a thrown error loses its class (and may lose its
 * `code`) crossing the thread, and the code decides retry versus dead-letter.
 */
export type TaskOutcome =
  /** processMs: the processor's own time on the thread, without the wait for a thread. */
  | { readonly ok: true; readonly value: unknown; readonly processMs: number }
  | { readonly ok: false; readonly name: string; readonly code?: string; readonly message: string };

// One module instance per thread, loaded on first use.
const processors = new Map<string, Promise<Processor>>();

/**
 * Node 20 does not run `module.register` loader hooks (tsx's ESM hook) on worker threads, but
 * tsx's require hook works there: a TypeScript processor (tests, tsx dev runs) that native
 * import() refuses is loaded through require instead. Built JavaScript never takes this path.
 */
async function importModule(url: string): Promise<unknown> {
  try {
    return (await import(url)) as unknown;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw err;
    }
    return createRequire(import.meta.url)(fileURLToPath(url)) as unknown;
  }
}

function load(url: string): Promise<Processor> {
  let p = processors.get(url);
  if (p === undefined) {
    p = importModule(url).then((mod) => asProcessor(mod, `processor ${url}`));
    processors.set(url, p);
  }
  return p;
}

const NEVER_ABORTED = new AbortController().signal;

export default async function processFrame(task: FrameTask): Promise<TaskOutcome> {
  try {
    const processor = await load(task.processorUrl);
    const started = performance.now();
    // Past the deadline Piscina ends this thread, so the signal a processor gets never aborts.
    const value = await processor.process(task.frame, task.options, NEVER_ABORTED);
    const processMs = performance.now() - started;
    const unsendable = cloneFailure(value);
    if (unsendable !== undefined) {
      return {
        ok: false,
        name: 'ResultUnstorableError',
        code: 'FRAMEPIPE_ERR_RESULT_UNSTORABLE',
        message: `the processor's result cannot leave its pool thread: ${unsendable}`,
      };
    }
    return { ok: true, value, processMs };
  } catch (err) {
    return failedOutcome(err);
  }
}

/**
 * Why a result cannot cross to the main thread (a function, a symbol...), or undefined. Piscina
 * would reject with a bare {} instead, retried as "[object Object]" until dead-lettered.
 */
function cloneFailure(value: unknown): string | undefined {
  try {
    structuredClone(value);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Pure: what crosses back for a thrown value; a plain { code, message } object keeps both. */
export function failedOutcome(err: unknown): Extract<TaskOutcome, { ok: false }> {
  const like = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const message = typeof like.message === 'string' ? like.message : String(err);
  return {
    ok: false,
    name: typeof like.name === 'string' ? like.name : 'Error',
    message,
    ...(typeof like.code === 'string' ? { code: like.code } : {}),
  };
}
