import type { FrameInput, Processor } from './processor.js';
import { decodeGrey } from './decode-grey.js';

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
  const s = greyStats(grey.data, grey.width, grey.height);
  return {
    width: grey.width,
    height: grey.height,
    mean: round(s.mean),
    stdev: round(Math.sqrt(s.variance)),
    sharpness: round(s.laplacianVariance),
  };
}

export interface GreyStats {
  readonly mean: number;
  readonly variance: number;
  /** Variance of the 4-neighbour Laplacian over the inner pixels: the usual focus measure. */
  readonly laplacianVariance: number;
}

/** Pixels summed in int32 before a segment's sums move to doubles: 2048 x 1020^2 < 2^31. */
const SEGMENT = 2048;

/**
 * Mean, variance and Laplacian variance of 8-bit pixels in one pass over the rows. It runs on
 * the event loop, so it is kept tight: sums run in int32 over segments of a row (at most
 * SEGMENT pixels, so they cannot overflow) and only segment totals become doubles.
 */
export function greyStats(pixels: Uint8Array, width: number, height: number): GreyStats {
  let sum = 0;
  let sumSq = 0;
  let lapSum = 0;
  let lapSq = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let from = row, rowEnd = row + width; from < rowEnd; from += SEGMENT) {
      let rs = 0;
      let rq = 0;
      for (let i = from, end = Math.min(rowEnd, from + SEGMENT); i < end; i++) {
        const v = pixels[i]!;
        rs = (rs + v) | 0;
        rq = (rq + v * v) | 0;
      }
      sum += rs;
      sumSq += rq;
    }
    if (y === 0 || y === height - 1) {
      continue;
    }
    for (let from = row + 1, rowEnd = row + width - 1; from < rowEnd; from += SEGMENT) {
      let ls = 0;
      let lq = 0;
      for (let i = from, end = Math.min(rowEnd, from + SEGMENT); i < end; i++) {
        const l =
          (pixels[i - 1]! +
            pixels[i + 1]! +
            pixels[i - width]! +
            pixels[i + width]! -
            4 * pixels[i]!) |
          0;
        ls = (ls + l) | 0;
        lq = (lq + l * l) | 0;
      }
      lapSum += ls;
      lapSq += lq;
    }
  }
  const n = Math.max(1, width * height);
  const inner = Math.max(0, width - 2) * Math.max(0, height - 2);
  const mean = sum / n;
  const lapMean = inner === 0 ? 0 : lapSum / inner;
  return {
    mean,
    variance: Math.max(0, sumSq / n - mean * mean),
    laplacianVariance: inner === 0 ? 0 : Math.max(0, lapSq / inner - lapMean * lapMean),
  };
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
