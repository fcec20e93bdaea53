import type { FrameInput, Processor } from './processor.js';
import { decodeGrey } from './decode-grey.js';
import { greyStats } from './grey-stats.js';

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
  // One SIMD pass over the pixels beats three sharp pipelines (stats, convolve, raw) on the
  // same pixels (docs/performance.md), and the Laplacian is not clamped.
  const s = greyStats(grey.data, grey.width, grey.height);
  return {
    width: grey.width,
    height: grey.height,
    mean: round(s.mean),
    stdev: round(Math.sqrt(s.variance)),
    sharpness: round(s.laplacianVariance),
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
