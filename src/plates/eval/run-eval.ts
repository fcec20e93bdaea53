import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigError, errorMessage, isPermanentFrameError } from '../../shared/errors.js';
import type { PlateReader } from '../plate-reader.js';
import { createPlateReader } from '../plate-reader.js';
import type { EvalSample } from './eval-metrics.js';
import { summarise } from './eval-metrics.js';
import type { EvalReport, SkippedImage } from './format-eval-report.js';
import { groupByFile, parseTruthCsv } from './truth-csv.js';

export type { EvalReport, SkippedImage } from './format-eval-report.js';
export { formatEvalReport } from './format-eval-report.js';

/** After each image: `sample` when it was read, `skipped` when it could not be. */
export interface EvalProgress {
  readonly done: number;
  readonly total: number;
  readonly sample?: EvalSample;
  readonly skipped?: SkippedImage;
}

export interface PlateEvalOptions {
  /** Folder of images (whole scenes or plate crops). */
  readonly images: string;
  /** CSV of `file,plate[,x,y,w,h]` rows, file names relative to `images`. */
  readonly truth: string;
  /** Evaluate only the first N files (a whole number >= 1). */
  readonly limit?: number;
  /** The reader's second look at unsure images (default on). */
  readonly secondLook?: boolean;
  /** Name of the set in the report; defaults to the folder name. */
  readonly group?: string;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** A reader to use (and leave open); otherwise one is created and closed. */
  readonly reader?: PlateReader;
}

/**
 * Reads every labelled image of a folder and measures exact match, character accuracy and ms
 * per image. An image that cannot be read or decoded is skipped, named in the report, and left
 * out of the accuracy: one bad file in a labelled set must not end the whole run.
 */
export async function runPlateEval(options: PlateEvalOptions): Promise<EvalReport> {
  const truths = await checkedTruths(options);
  const files = [...truths.keys()].slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  const group = options.group ?? basename(options.images);
  const reader =
    options.reader ?? (await createPlateReader({ secondLook: options.secondLook ?? true }));
  const samples: EvalSample[] = [];
  const skipped: SkippedImage[] = [];
  const looksBefore = reader.secondLooks;
  try {
    for (const file of files) {
      const outcome = await readImage(reader, join(options.images, file));
      const done = samples.length + skipped.length + 1;
      if ('reason' in outcome) {
        const skip = { id: file, group, reason: outcome.reason };
        skipped.push(skip);
        options.onProgress?.({ done, total: files.length, skipped: skip });
        continue;
      }
      const sample = { ...outcome, id: file, group, truths: truths.get(file) ?? [] };
      samples.push(sample);
      options.onProgress?.({ done, total: files.length, sample });
    }
  } finally {
    if (!options.reader) {
      await reader.close();
    }
  }
  const secondLooks = reader.secondLooks - looksBefore;
  return { groups: summarise(samples), samples, skipped, secondLooks };
}

/**
 * Checks the options (limit, images folder) and reads the truth CSV grouped by file: a bad
 * limit, a missing CSV or folder is bad input (ConfigError, exit 2), not a crash.
 */
async function checkedTruths(options: PlateEvalOptions): Promise<Map<string, string[]>> {
  const { limit } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new ConfigError(`limit: expected a whole number >= 1 (got ${limit})`, [
      { path: 'limit', message: 'expected a whole number >= 1', value: limit },
    ]);
  }
  const isDir = await stat(options.images).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new ConfigError(`images: ${options.images} is not a readable folder`, [
      { path: 'images', message: 'not a readable folder', value: options.images },
    ]);
  }
  let text: string;
  try {
    text = await readFile(options.truth, 'utf8');
  } catch (err) {
    throw new ConfigError(`truth: cannot read ${options.truth}: ${errorMessage(err)}`, [], {
      cause: err,
    });
  }
  return groupByFile(parseTruthCsv(text));
}

type ImageOutcome =
  | { readonly read: string | null; readonly ms: number; readonly cpuMs: number }
  | { readonly reason: string };

/** Reads one image; a file that is missing or undecodable is an outcome, other errors throw. */
async function readImage(reader: PlateReader, path: string): Promise<ImageOutcome> {
  let image: Buffer;
  try {
    image = await readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { reason: code === 'ENOENT' ? 'file not found' : `cannot read: ${errorMessage(err)}` };
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const reads = await reader.read(image);
    const used = process.cpuUsage(cpu);
    return {
      read: reads[0]?.text ?? null,
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
    };
  } catch (err) {
    // Poison: the bytes are no image; anything else (model gone) ends the run.
    if (isPermanentFrameError(err)) {
      return { reason: errorMessage(err) };
    }
    throw err;
  }
}
