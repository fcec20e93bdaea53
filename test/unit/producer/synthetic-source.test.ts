import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRgbJpeg } from '../../../src/producer/encode-jpeg.js';
import type { RawFrame } from '../../../src/producer/sources/frame-source.js';
import {
  createSyntheticSource,
  renderSyntheticFrame,
} from '../../../src/producer/sources/synthetic-source.js';

async function take(seed: number, n: number): Promise<RawFrame[]> {
  const source = createSyntheticSource({ width: 64, height: 48, seed, frames: n });
  const out: RawFrame[] = [];
  for await (const f of source) {
    out.push(f);
  }
  return out;
}

const pixels = (f: RawFrame): Buffer => {
  assert.equal(f.image.format, 'rgb');
  return f.image.format === 'rgb' ? f.image.pixels : Buffer.alloc(0);
};

describe('synthetic source', () => {
  it('yields the same pixels and JPEG bytes for the same seed', async () => {
    const [a, b] = await Promise.all([take(42, 3), take(42, 3)]);
    assert.equal(a.length, 3);
    assert.deepEqual(a.map(pixels), b.map(pixels));
    const jpegA = await encodeRgbJpeg(pixels(a[2]!), 64, 48, 80);
    const jpegB = await encodeRgbJpeg(pixels(b[2]!), 64, 48, 80);
    assert.deepEqual(jpegA, jpegB);
    assert.deepEqual(jpegA.subarray(0, 2), Buffer.from([0xff, 0xd8]));
  });

  it('yields different frames for a different seed', async () => {
    const [a, b] = await Promise.all([take(1, 2), take(2, 2)]);
    assert.notDeepEqual(pixels(a[0]!), pixels(b[0]!));
  });

  it('changes from one frame to the next and says which frame it is', async () => {
    const frames = await take(7, 2);
    assert.notDeepEqual(pixels(frames[0]!), pixels(frames[1]!));
    assert.deepEqual(frames[1]!.meta, { synthetic: 1, seed: 7 });
  });

  it('renders width x height RGB pixels', () => {
    assert.equal(renderSyntheticFrame(1, 640, 480, 0).length, 640 * 480 * 3);
  });

  it('stops yielding after close()', async () => {
    const source = createSyntheticSource({ width: 16, height: 16, seed: 1 });
    let n = 0;
    for await (const _ of source) {
      if (++n === 3) {
        await source.close();
      }
    }
    assert.equal(n, 3);
  });
});
