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
  heapOffset(): number;
  greyStats(pixels: number, width: number, height: number): void;
  rgbToLuma(rgb: number, grey: number, count: number): void;
}

interface Kernel {
  readonly exports: GreyStatsExports;
  readonly sums: number;
  readonly heap: number;
}

const PAGE_BYTES = 65536;

let kernel: Kernel | undefined;

/**
 * The SIMD kernel (wasm/grey-stats.ts), compiled once per thread on first use: it is under
 * 1 KB, so a synchronous compile costs less than a millisecond. Its memory grows to the
 * largest frame seen and stays there.
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
    kernel = { exports, sums: exports.sumsOffset(), heap: exports.heapOffset() };
  }
  return kernel;
}

/** Grows the kernel's memory to hold `bytes` from its heap; views taken before are detached. */
function reserve(k: Kernel, bytes: number): void {
  const memory = k.exports.memory;
  const need = k.heap + bytes;
  if (memory.buffer.byteLength < need) {
    memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE_BYTES));
  }
}

function checkLength(data: Uint8Array, bytes: number, what: string): void {
  if (data.length < bytes) {
    throw new RangeError(`${what}: ${data.length} bytes where ${bytes} are needed`);
  }
}

/**
 * Mean, variance and Laplacian variance of 8-bit grey pixels (row-major, `width` per row).
 * The sums run in WebAssembly SIMD with exact integer arithmetic (~15x faster than the JS
 * loop they replace, which kept the event loop busy ~2.7 ms per 640x480 frame).
 */
export function greyStats(pixels: Uint8Array, width: number, height: number): GreyStats {
  const n = width * height;
  checkLength(pixels, n, `greyStats ${width}x${height}`);
  const k = greyStatsKernel();
  reserve(k, n);
  new Uint8Array(k.exports.memory.buffer, k.heap, n).set(pixels.subarray(0, n));
  return kernelStats(k, k.heap, width, height);
}

/**
 * The same statistics of interleaved 8-bit RGB, on its Rec.601 luma (what a JPEG stores as Y
 * and OpenCV's RGB2GRAY gives), converted in the kernel: sharp's own greyscale conversion
 * goes through linear light in floats and cost more than the JPEG decode's colour step.
 */
export function rgbStats(rgb: Uint8Array, width: number, height: number): GreyStats {
  const n = width * height;
  checkLength(rgb, n * 3, `rgbStats ${width}x${height}`);
  const k = greyStatsKernel();
  const rgbAt = k.heap + Math.ceil(n / 16) * 16;
  reserve(k, rgbAt - k.heap + n * 3);
  new Uint8Array(k.exports.memory.buffer, rgbAt, n * 3).set(rgb.subarray(0, n * 3));
  k.exports.rgbToLuma(rgbAt, k.heap, n);
  return kernelStats(k, k.heap, width, height);
}

function kernelStats(k: Kernel, pixels: number, width: number, height: number): GreyStats {
  k.exports.greyStats(pixels, width, height);
  const sums = new BigInt64Array(k.exports.memory.buffer, k.sums, 4);
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
function finishStats(
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
