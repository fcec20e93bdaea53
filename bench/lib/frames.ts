import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderSyntheticFrame, seededRandom } from '../../src/producer/sources/synthetic-source.js';

/** A size the bench runs at, e.g. `640x480`. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

export interface FrameSet extends FrameSize {
  readonly jpegs: readonly Buffer[];
  readonly meanBytes: number;
}

export const JPEG_QUALITY = 80;
/**
 * Per-pixel noise on top of the synthetic pattern, like a real sensor: without it a 640x480
 * frame compresses to ~10 KB, while the camera frames this was sized against are ~44 KB.
 */
const NOISE_AMPLITUDE = 30;

export function sizeLabel(size: FrameSize): string {
  return `${size.width}x${size.height}`;
}

export function parseSize(label: string): FrameSize {
  const m = /^(\d+)x(\d+)$/.exec(label);
  if (m === null) {
    throw new Error(`bad frame size "${label}": use WIDTHxHEIGHT`);
  }
  return { width: Number(m[1]), height: Number(m[2]) };
}

export async function encodeFrame(size: FrameSize, n: number): Promise<Buffer> {
  const px = renderSyntheticFrame(7, size.width, size.height, n);
  const rnd = seededRandom(1000 + n);
  for (let i = 0; i < px.length; i++) {
    const v = px[i]! + Math.round((rnd() - 0.5) * NOISE_AMPLITUDE);
    px[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(px, { raw: { width: size.width, height: size.height, channels: 3 } })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
}

function cacheDir(size: FrameSize, count: number): string {
  return join(tmpdir(), 'framepipe-bench-frames', `${sizeLabel(size)}-q${JPEG_QUALITY}-n${count}`);
}

/**
 * N distinct JPEGs of one size, encoded once and cached on disk, so scenario processes
 * reuse them and encoding never counts in a comparison.
 */
export async function loadFrameSet(size: FrameSize, count: number): Promise<FrameSet> {
  const dir = cacheDir(size, count);
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).sort();
  } catch {
    names = [];
  }
  let jpegs: Buffer[];
  if (names.length === count) {
    jpegs = await Promise.all(names.map((n) => readFile(join(dir, n))));
  } else {
    jpegs = [];
    for (let n = 0; n < count; n++) {
      jpegs.push(await encodeFrame(size, n));
    }
    const tmp = `${dir}.${process.pid}.tmp`;
    await mkdir(tmp, { recursive: true });
    await Promise.all(
      jpegs.map((j, n) => writeFile(join(tmp, `${String(n).padStart(4, '0')}.jpg`), j)),
    );
    await rename(tmp, dir).catch(() => undefined); // a concurrent writer won: same bytes
  }
  const meanBytes = jpegs.reduce((s, j) => s + j.length, 0) / jpegs.length;
  return { ...size, jpegs, meanBytes };
}
