import type { FrameInput, Processor } from './processor.js';
import { decodeGrey, meanVariance } from './decode-grey.js';

export interface FrameStats {
  readonly width: number;
  readonly height: number;
  readonly mean: number;
  readonly stdev: number;
  /** Variance of the Laplacian: higher is sharper (focus measure). */
  readonly sharpness: number;
}

export async function frameStats(frame: FrameInput): Promise<FrameStats> {
  const grey = await decodeGrey(frame.data);
  // One indexed pass in JS beats three sharp pipelines (stats, convolve, raw) on the same
  // pixels: it measured ~4x cheaper (docs/performance.md), and the Laplacian is not clamped.
  const { mean, variance } = meanVariance(grey.data);
  return {
    width: grey.width,
    height: grey.height,
    mean: round(mean),
    stdev: round(Math.sqrt(variance)),
    sharpness: round(laplacianVariance(grey.data, grey.width, grey.height)),
  };
}

/** Variance of the 4-neighbour Laplacian over the inner pixels: the usual focus measure. */
export function laplacianVariance(pixels: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const l =
        pixels[i - 1]! + pixels[i + 1]! + pixels[i - width]! + pixels[i + width]! - 4 * pixels[i]!;
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  if (n === 0) {
    return 0;
  }
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

const statsProcessor: Processor = {
  name: 'stats',
  // sharp already runs on libuv's thread pool: a Piscina hop would add cost, not parallelism.
  runsOn: 'inline',
  process: (frame) => frameStats(frame),
};

export default statsProcessor;
