import type { FrameInput, Processor } from './processor.js';
import { decodeGrey, decodeRaw, type RawImage } from './decode-pixels.js';
import { greyStats, rgbStats, type GreyStats } from './grey-stats.js';

export interface FrameStats {
  readonly width: number;
  readonly height: number;
  readonly mean: number;
  readonly stdev: number;
  /** Variance of the Laplacian: higher is sharper (focus measure). */
  readonly sharpness: number;
}

export async function frameStats(frame: FrameInput): Promise<FrameStats> {
  const image = await decodeRaw(frame.data);
  // One SIMD pass over the pixels beats three sharp pipelines (stats, convolve, raw) on the
  // same pixels (docs/performance.md), and the Laplacian is not clamped.
  const s = await imageStats(image, frame.data);
  return {
    width: image.width,
    height: image.height,
    mean: round(s.mean),
    stdev: round(Math.sqrt(s.variance)),
    sharpness: round(s.laplacianVariance),
  };
}

/**
 * Statistics of the luma. JPEGs decode to RGB (CMYK too: sharp hands it over as sRGB) or grey;
 * any other layout goes through libvips' own greyscale.
 */
async function imageStats(image: RawImage, jpeg: Uint8Array): Promise<GreyStats> {
  if (image.channels === 3) {
    return rgbStats(image.data, image.width, image.height);
  }
  const grey = image.channels === 1 ? image : await decodeGrey(jpeg);
  return greyStats(grey.data, grey.width, grey.height);
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
