import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  JpegSplitter,
  findJpegEnd,
  splitJpegs,
} from '../../../src/producer/sources/jpeg-splitter.js';
import { oversizedJpeg, validJpeg } from '../../helpers/frames.js';

describe('MJPEG stream splitter', () => {
  let a: Buffer;
  let b: Buffer;
  let c: Buffer;
  before(async () => {
    [a, b, c] = await Promise.all([
      validJpeg(32, 24, 1),
      validJpeg(48, 32, 2),
      validJpeg(16, 16, 3),
    ]);
  });

  it('splits concatenated JPEGs into the original images', () => {
    const { images, rest, skipped } = splitJpegs(Buffer.alloc(0), Buffer.concat([a, b, c]));
    assert.deepEqual(images, [a, b, c]);
    assert.equal(rest.length, 0);
    assert.equal(skipped, 0);
  });

  it('reassembles images cut at every possible chunk boundary', () => {
    const stream = Buffer.concat([a, b]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const splitter = new JpegSplitter();
      const out = [
        ...splitter.push(stream.subarray(0, cut)),
        ...splitter.push(stream.subarray(cut)),
      ];
      assert.deepEqual(out, [a, b], `cut at ${cut}`);
      assert.equal(splitter.pendingBytes, 0);
    }
  });

  it('feeds one byte at a time and still finds every image', () => {
    const splitter = new JpegSplitter();
    const out: Buffer[] = [];
    for (const byte of Buffer.concat([a, c])) {
      out.push(...splitter.push(Buffer.from([byte])));
    }
    assert.deepEqual(out, [a, c]);
  });

  it('holds an incomplete image back until its end arrives', () => {
    const { images, rest } = splitJpegs(Buffer.alloc(0), Buffer.concat([a, b.subarray(0, 100)]));
    assert.deepEqual(images, [a]);
    assert.deepEqual(rest, b.subarray(0, 100));
    assert.equal(findJpegEnd(b.subarray(0, 100), 0), -1);
  });

  it('skips garbage between images and counts it', () => {
    const junk = Buffer.from('not a jpeg');
    const { images, skipped } = splitJpegs(Buffer.alloc(0), Buffer.concat([junk, a, junk, b]));
    assert.deepEqual(images, [a, b]);
    assert.equal(skipped, junk.length * 2);
  });

  it('is not fooled by an FF D9 pair inside a header segment', async () => {
    // A COM segment full of FF D9 pairs: a naive EOI search would cut the image there.
    const padded = await oversizedJpeg(2000);
    const trap = Buffer.from(padded);
    for (let i = 6; i < 1000; i += 2) {
      trap[i] = 0xff;
      trap[i + 1] = 0xd9;
    }
    const { images } = splitJpegs(Buffer.alloc(0), Buffer.concat([trap, a]));
    assert.deepEqual(images, [trap, a]);
  });

  it('drops an image that grows past maxBytes instead of buffering forever', () => {
    const splitter = new JpegSplitter(50);
    assert.deepEqual(splitter.push(b.subarray(0, 120)), []);
    assert.equal(splitter.pendingBytes, 0);
    assert.deepEqual(splitter.push(a), [a]);
  });
});
