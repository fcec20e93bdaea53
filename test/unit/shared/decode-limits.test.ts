import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeRgb } from '../../../src/plates/ocr/rgb-image.js';
import { PoisonFrameError } from '../../../src/shared/errors.js';
import { decodeRaw } from '../../../src/workers/processors/decode-pixels.js';

/** A small JPEG whose header says 16000 x 16000 (256 MP): what a decoder would allocate for. */
async function hugeHeaderJpeg(): Promise<Buffer> {
  const jpeg = await sharp({
    create: { width: 8, height: 8, channels: 3, background: 'white' },
  })
    .jpeg()
    .toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0, 'a baseline JPEG has an SOF0 marker');
  jpeg.writeUInt16BE(16000, sof + 5); // height
  jpeg.writeUInt16BE(16000, sof + 7); // width
  return jpeg;
}

describe('decoding refuses images past MAX_DECODE_PIXELS before allocating them', () => {
  it('the processors: a poison frame naming the pixel limit', async () => {
    await assert.rejects(decodeRaw(await hugeHeaderJpeg()), (err: unknown) => {
      assert.ok(err instanceof PoisonFrameError);
      assert.match(err.message, /pixel limit/);
      return true;
    });
  });

  it('the plate reader', async () => {
    await assert.rejects(decodeRgb(await hugeHeaderJpeg()), /pixel limit/);
  });
});
