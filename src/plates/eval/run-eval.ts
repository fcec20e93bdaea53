import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PlateReader } from '../plate-reader.js';
import { createPlateReader } from '../plate-reader.js';
import type { EvalSample } from './eval-metrics.js';
import { summarise } from './eval-metrics.js';
import type { EvalReport } from './format-eval-report.js';
import { groupByFile, parseTruthCsv } from './truth-csv.js';

export type { EvalReport } from './format-eval-report.js';
export { formatEvalReport } from './format-eval-report.js';

export interface EvalProgress {
  readonly done: number;
  readonly total: number;
  readonly sample: EvalSample;
}

export interface PlateEvalOptions {
  /** Folder of images (whole scenes or plate crops). */
  readonly images: string;
  /** CSV of `file,plate[,x,y,w,h]` rows, file names relative to `images`. */
  readonly truth: string;
  /** Evaluate only the first N files. */
  readonly limit?: number;
  /** Name of the set in the report; defaults to the folder name. */
  readonly group?: string;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** A reader to use (and leave open); otherwise one is created and closed. */
  readonly reader?: PlateReader;
}

/** Reads every labelled image of a folder and measures exact match, character accuracy and ms per image. */
export async function runPlateEval(options: PlateEvalOptions): Promise<EvalReport> {
  const truths = groupByFile(parseTruthCsv(await readFile(options.truth, 'utf8')));
  const files = [...truths.keys()].slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  const group = options.group ?? basename(options.images);
  const reader = options.reader ?? (await createPlateReader());
  const samples: EvalSample[] = [];
  try {
    for (const file of files) {
      const image = await readFile(join(options.images, file));
      const started = performance.now();
      const cpu = process.cpuUsage();
      const reads = await reader.read(image);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const sample = {
        cpuMs: (used.user + used.system) / 1000,
        id: file,
        group,
        truths: truths.get(file) ?? [],
        read: reads[0]?.text ?? null,
        ms,
      };
      samples.push(sample);
      options.onProgress?.({ done: samples.length, total: files.length, sample });
    }
  } finally {
    if (!options.reader) {
      await reader.close();
    }
  }
  return { groups: summarise(samples), samples };
}
