import { GREY_STATS_WASM } from './grey-stats-wasm.js';

export interface GreyStats {
  readonly mean: number;
  readonly variance: number;
  /** Variance of the 4-neighbour Laplacian over the inner pixels: the usual focus measure. */
  readonly laplacianVariance: number;
}

interface GreyStatsExports {
  readonly memory: WebAssembly.Memory;
  sumsOffset(): number;
  pixelsOffset(): number;
  greyStats(width: number, height: number): void;
}

interface Kernel {
  readonly exports: GreyStatsExports;
  readonly sums: number;
  readonly pixels: number;
}

const PAGE_BYTES = 65536;

let kernel: Kernel | undefined;

/**
 * The SIMD kernel (wasm/grey-stats.ts), compiled once per thread on first use: it is 800 bytes,
 * so a synchronous compile costs less than a millisecond. Its memory grows to the largest
 * frame seen and stays there.
 */
function greyStatsKernel(): Kernel {
  if (kernel === undefined) {
    const module = new WebAssembly.Module(Buffer.from(GREY_STATS_WASM, 'base64'));
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error('grey-stats kernel aborted');
        },
      },
    });
    const exports = instance.exports as unknown as GreyStatsExports;
    kernel = { exports, sums: exports.sumsOffset(), pixels: exports.pixelsOffset() };
  }
  return kernel;
}

/**
 * Mean, variance and Laplacian variance of 8-bit grey pixels (row-major, `width` per row).
 * The pixel sums run in WebAssembly SIMD with exact integer arithmetic (~15x faster than the
 * JS loop they replace, which kept the event loop busy ~2.7 ms per 640x480 frame).
 */
export function greyStats(pixels: Uint8Array, width: number, height: number): GreyStats {
  if (pixels.length < width * height) {
    throw new RangeError(`greyStats: ${pixels.length} bytes for ${width}x${height} pixels`);
  }
  const { exports, sums: sumsAt, pixels: offset } = greyStatsKernel();
  const memory = exports.memory;
  const need = offset + width * height;
  if (memory.buffer.byteLength < need) {
    memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE_BYTES));
  }
  // After a grow the old buffer is detached: take views only now.
  new Uint8Array(memory.buffer, offset, width * height).set(pixels.subarray(0, width * height));
  exports.greyStats(width, height);
  const sums = new BigInt64Array(memory.buffer, sumsAt, 4);
  return finishStats(
    width,
    height,
    Number(sums[0]),
    Number(sums[1]),
    Number(sums[2]),
    Number(sums[3]),
  );
}

/** The statistics from the kernel's exact sums. */
export function finishStats(
  width: number,
  height: number,
  sum: number,
  sumSq: number,
  lapSum: number,
  lapSq: number,
): GreyStats {
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
