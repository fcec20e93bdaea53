/**
 * Splits an MJPEG byte stream (ffmpeg -f image2pipe -vcodec mjpeg) into JPEG images.
 * Markers are walked properly: segment lengths are skipped, so an FF D9 inside a header
 * segment is not taken for the end; in entropy-coded data, FF 00 (stuffing) and FF D0-D7
 * (restart markers) are skipped.
 */

/** Index just past the EOI of the JPEG that starts at `start` (an SOI), or -1 if incomplete. */
export function findJpegEnd(buf: Buffer, start: number): number {
  let i = start + 2;
  for (;;) {
    if (i + 1 >= buf.length) {
      return -1;
    }
    if (buf[i] !== 0xff) {
      return -1; // not at a marker: corrupt; the caller resyncs at the next SOI
    }
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      return i + 2;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (i + 3 >= buf.length) {
      return -1;
    }
    const length = buf.readUInt16BE(i + 2);
    i += 2 + length;
    if (marker === 0xda) {
      const end = scanEntropyData(buf, i);
      if (end < 0) {
        return -1;
      }
      i = end;
    }
  }
}

/** Index of the next real marker after entropy-coded data, or -1 if the buffer ends first. */
function scanEntropyData(buf: Buffer, from: number): number {
  let i = buf.indexOf(0xff, from);
  while (i >= 0 && i + 1 < buf.length) {
    const next = buf[i + 1]!;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) {
      return i;
    }
    i = buf.indexOf(0xff, next === 0xff ? i + 1 : i + 2);
  }
  return -1;
}

export interface SplitResult {
  readonly images: Buffer[];
  /** Bytes of an incomplete image to prepend to the next chunk. */
  readonly rest: Buffer;
  /** Bytes skipped because they were not inside an image. */
  readonly skipped: number;
}

const SOI = Buffer.from([0xff, 0xd8]);

/** Pure: complete images in `carry + chunk`, and what is left over. */
export function splitJpegs(carry: Buffer, chunk: Buffer): SplitResult {
  const buf = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
  const images: Buffer[] = [];
  let pos = 0;
  let skipped = 0;
  for (;;) {
    const start = buf.indexOf(SOI, pos);
    if (start < 0) {
      // Keep a trailing FF: it may be the first half of the next SOI.
      const keep = buf.length > pos && buf[buf.length - 1] === 0xff ? 1 : 0;
      skipped += buf.length - pos - keep;
      return { images, rest: buf.subarray(buf.length - keep), skipped };
    }
    skipped += start - pos;
    const end = findJpegEnd(buf, start);
    if (end < 0) {
      if (isCorruptAt(buf, start)) {
        skipped += 2;
        pos = start + 2;
        continue;
      }
      return { images, rest: buf.subarray(start), skipped };
    }
    images.push(Buffer.from(buf.subarray(start, end)));
    pos = end;
  }
}

/** True when the image at `start` can never complete (a non-marker where a marker must be). */
function isCorruptAt(buf: Buffer, start: number): boolean {
  let i = start + 2;
  while (i + 3 < buf.length) {
    if (buf[i] !== 0xff) {
      return true;
    }
    const marker = buf[i + 1]!;
    if (marker === 0xda) {
      return false;
    }
    i += marker === 0xff ? 1 : 2 + buf.readUInt16BE(i + 2);
  }
  return false;
}

/** Stateful wrapper for a byte stream; drops an image that grows past maxBytes. */
export class JpegSplitter {
  #carry: Buffer = Buffer.alloc(0);
  skipped = 0;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    const result = splitJpegs(this.#carry, chunk);
    this.skipped += result.skipped;
    this.#carry = result.rest.length > this.maxBytes ? Buffer.alloc(0) : result.rest;
    if (result.rest.length > this.maxBytes) {
      this.skipped += result.rest.length;
    }
    return result.images;
  }

  /** Bytes of an unfinished image still held. */
  get pendingBytes(): number {
    return this.#carry.length;
  }
}
