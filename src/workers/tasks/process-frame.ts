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
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly name: string; readonly code?: string; readonly message: string };

// One module instance per thread, loaded on first use.
const processors = new Map<string, Promise<Processor>>();

function load(url: string): Promise<Processor> {
  let p = processors.get(url);
  if (p === undefined) {
    p = import(url).then((mod: unknown) => asProcessor(mod, `processor ${url}`));
    processors.set(url, p);
  }
  return p;
}

export default async function processFrame(task: FrameTask): Promise<TaskOutcome> {
  try {
    const processor = await load(task.processorUrl);
    return { ok: true, value: await processor.process(task.frame, task.options) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = (e as { code?: unknown }).code;
    return {
      ok: false,
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
}
