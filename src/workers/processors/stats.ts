import sharp from 'sharp';
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

// 4-neighbour Laplacian; offset 128 keeps negative responses inside 0..255.
const LAPLACIAN = {
  width: 3,
  height: 3,
  kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0],
  scale: 1,
  offset: 128,
};

export async function frameStats(frame: FrameInput): Promise<FrameStats> {
  const grey = await decodeGrey(frame.data);
  const raw = { raw: { width: grey.width, height: grey.height, channels: 1 as const } };
  // sharp's stats() reads the input, not the pipeline: decode once, then work on raw pixels.
  const [stats, laplacian] = await Promise.all([
    sharp(grey.data, raw).stats(),
    sharp(grey.data, raw).convolve(LAPLACIAN).raw().toBuffer(),
  ]);
  const channel = stats.channels[0];
  return {
    width: grey.width,
    height: grey.height,
    mean: round(channel?.mean ?? 0),
    stdev: round(channel?.stdev ?? 0),
    sharpness: round(meanVariance(laplacian).variance),
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
