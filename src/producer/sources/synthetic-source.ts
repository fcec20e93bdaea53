import type { FrameSource, RawFrame } from './frame-source.js';

/**
 * A deterministic test pattern: a moving gradient, a few bouncing boxes placed by the seed,
 * and the frame number drawn in a block font. Same seed, same size -> same pixels.
 * Rendered as raw RGB in plain JS (~2 ms at 640x480), so the producer's encoder does the JPEG.
 */
export interface SyntheticSourceOptions {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  /** Stop after this many frames (undefined: never end). */
  readonly frames?: number | undefined;
}

const BOXES = 3;

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// 3x5 digits, one row per 3 bits.
const DIGITS = [
  0x7b6f, 0x2492, 0x73e7, 0x73cf, 0x5bc9, 0x79cf, 0x79ef, 0x7249, 0x7bef, 0x7bcf,
] as const;

interface Box {
  x: number;
  y: number;
  readonly vx: number;
  readonly vy: number;
  readonly size: number;
  readonly rgb: readonly [number, number, number];
}

function makeBoxes(seed: number, width: number, height: number): Box[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: BOXES }, () => {
    const size = Math.max(4, Math.round(Math.min(width, height) * (0.1 + rnd() * 0.15)));
    return {
      x: rnd() * (width - size),
      y: rnd() * (height - size),
      vx: (rnd() - 0.5) * 12,
      vy: (rnd() - 0.5) * 12,
      size,
      rgb: [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)] as const,
    };
  });
}

/** Position of a box bouncing inside [0, span] after n frames. */
function bounce(start: number, velocity: number, n: number, span: number): number {
  if (span <= 0) {
    return 0;
  }
  const period = 2 * span;
  const p = (((start + velocity * n) % period) + period) % period;
  return Math.round(p <= span ? p : period - p);
}

function fillRect(
  px: Buffer,
  width: number,
  height: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  rgb: readonly [number, number, number],
): void {
  const x1 = Math.min(width, x0 + w);
  const y1 = Math.min(height, y0 + h);
  for (let y = Math.max(0, y0); y < y1; y++) {
    for (let x = Math.max(0, x0), i = (y * width + x) * 3; x < x1; x++, i += 3) {
      px[i] = rgb[0];
      px[i + 1] = rgb[1];
      px[i + 2] = rgb[2];
    }
  }
}

function drawNumber(px: Buffer, width: number, height: number, n: number): void {
  const scale = Math.max(1, Math.floor(height / 60));
  const text = String(n);
  for (let c = 0; c < text.length; c++) {
    const bits = DIGITS[text.charCodeAt(c) - 48] ?? 0;
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if ((bits >> ((4 - row) * 3 + (2 - col))) & 1) {
          const x = scale * (2 + c * 4 + col);
          fillRect(px, width, height, x, scale * (2 + row), scale, scale, [255, 255, 255]);
        }
      }
    }
  }
}

/** Renders frame `n` of the pattern for `seed`: pure, width * height * 3 bytes. */
export function renderSyntheticFrame(
  seed: number,
  width: number,
  height: number,
  n: number,
): Buffer {
  const px = Buffer.allocUnsafe(width * height * 3);
  const shift = (n * 3 + seed * 17) & 255;
  const row = Buffer.allocUnsafe(width * 3);
  for (let y = 0; y < height; y++) {
    const g = Math.floor((y * 255) / height);
    for (let x = 0, i = 0; x < width; x++, i += 3) {
      row[i] = (Math.floor((x * 255) / width) + shift) & 255;
      row[i + 1] = g;
      row[i + 2] = (x + y + shift) >> 2;
    }
    row.copy(px, y * width * 3);
  }
  for (const box of makeBoxes(seed, width, height)) {
    const x = bounce(box.x, box.vx, n, width - box.size);
    const y = bounce(box.y, box.vy, n, height - box.size);
    fillRect(px, width, height, x, y, box.size, box.size, box.rgb);
  }
  drawNumber(px, width, height, n);
  return px;
}

export function createSyntheticSource(options: SyntheticSourceOptions): FrameSource {
  let closed = false;
  const { width, height, seed } = options;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      for (let n = 0; !closed && (options.frames === undefined || n < options.frames); n++) {
        const pixels = renderSyntheticFrame(seed, width, height, n);
        yield { width, height, image: { format: 'rgb', pixels }, meta: { synthetic: n, seed } };
        // Let timers and I/O run between frames even when nobody paces us.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
