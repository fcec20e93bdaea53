import type { Box } from './ocr/rgb-image.js';
import type { PlateRead, PlateReader } from './plate-reader.js';
import { createPlateReader } from './plate-reader.js';
import { normalisePlate } from './eval/truth-csv.js';

/** The frame a processor receives (structurally the workers' FrameInput; plates/ does not import workers/). */
export interface PlateFrame {
  readonly id: string;
  readonly source: string;
  readonly seq: number;
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  /** The JPEG. */
  readonly data: Buffer | Uint8Array;
  /** Synthetic scenes carry their ground truth here: `{ plate: 'AB12CDE', bbox }`. */
  readonly meta?: unknown;
}

export interface PlateResult {
  /** Best reading, or null when the frame shows no readable plate (not an error). */
  readonly plate: string | null;
  readonly confidence: number;
  readonly bbox: Box | null;
  readonly layout: string | null;
  /** The other readings, best first. */
  readonly candidates: readonly PlateRead[];
  readonly ms: number;
  readonly truth?: string;
  readonly correct?: boolean;
}

// One reader (two ONNX Runtime sessions) per pool thread: each Piscina thread imports this module
// once, so module state is per thread, and the sessions are created on the first frame, then reused
// (a worker's options are the same for every frame).
let reader: Promise<PlateReader> | undefined;

function threadReader(secondLook: boolean): Promise<PlateReader> {
  reader ??= createPlateReader({ secondLook }).catch((err: unknown) => {
    reader = undefined; // let a later frame retry, and the error reach this frame
    throw err;
  });
  return reader;
}

function truthOf(meta: unknown): string | undefined {
  const plate = (meta as { plate?: unknown } | null | undefined)?.plate;
  return typeof plate === 'string' ? normalisePlate(plate) : undefined;
}

/** Reads one frame; a pure function of the reader's output and the frame's metadata. */
export async function readPlateFrame(
  frame: PlateFrame,
  plateReader: PlateReader,
): Promise<PlateResult> {
  const started = performance.now();
  const reads = await plateReader.read(frame.data);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const [best, ...others] = reads;
  const truth = truthOf(frame.meta);
  return {
    plate: best?.text ?? null,
    confidence: best ? Math.round(best.confidence * 1000) / 1000 : 0,
    bbox: best?.bbox ?? null,
    layout: best?.layout ?? null,
    candidates: others,
    ms,
    ...(truth === undefined ? {} : { truth, correct: best?.text === truth }),
  };
}

const plateProcessor = {
  name: 'plate',
  // ONNX inference is CPU-bound and synchronous inside a session run: it belongs on the pool.
  runsOn: 'pool' as const,
  process: async (
    frame: PlateFrame,
    options?: { readonly plateSecondLook?: boolean },
  ): Promise<PlateResult> =>
    readPlateFrame(frame, await threadReader(options?.plateSecondLook ?? true)),
};

export default plateProcessor;
