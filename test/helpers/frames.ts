import sharp from 'sharp';
import type { PendingFrame } from '../../src/producer/frame-buffer.js';

/**
 * JPEG fixtures for tests: a valid image, a corrupt one (JPEG magic, garbage after), and an
 * oversized but valid one. Deterministic: same arguments, same bytes.
 */

/** A valid JPEG of width x height; `seed` changes the picture. */
export async function validJpeg(width = 64, height = 48, seed = 1): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 4 + seed * 37) & 255;
      pixels[i + 1] = (y * 4 + seed * 91) & 255;
      pixels[i + 2] = ((x ^ y) + seed * 13) & 255;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** Starts with the JPEG SOI marker (FF D8) but no decoder can read the rest. */
export function corruptJpeg(length = 256): Buffer {
  const buf = Buffer.alloc(Math.max(4, length));
  buf[0] = 0xff;
  buf[1] = 0xd8;
  let x = 0x2545f491;
  for (let i = 2; i < buf.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0x7f; // never 0xFF: no marker, so nothing parses
  }
  return buf;
}

/**
 * A valid JPEG of at least `bytes` bytes: a small image padded with COM (comment) segments
 * right after SOI, so decoders still read it.
 */
export async function oversizedJpeg(bytes: number): Promise<Buffer> {
  const base = await validJpeg(16, 16, 7);
  const parts: Buffer[] = [base.subarray(0, 2)];
  let size = base.length;
  while (size < bytes) {
    const payload = Math.min(65533, Math.max(1, bytes - size - 4));
    const seg = Buffer.alloc(4 + payload, 0x20);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(payload + 2, 2);
    parts.push(seg);
    size += seg.length;
  }
  parts.push(base.subarray(2));
  return Buffer.concat(parts);
}

/** A producer's buffered frame with id `${1000 + seq}-0`; `over` replaces any field. */
export function pendingFrame(seq: number, over: Partial<PendingFrame> = {}): PendingFrame {
  return {
    id: { ms: 1000 + seq, seq: 0 },
    seq,
    captureUs: 0,
    width: 1,
    height: 1,
    data: Buffer.from([0xff, 0xd8]),
    ...over,
  };
}
