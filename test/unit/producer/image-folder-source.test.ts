import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  createImageFolderSource,
  sortImageNames,
} from '../../../src/producer/sources/image-folder-source.js';
import type { FrameSource } from '../../../src/producer/sources/frame-source.js';

/** Images whose top-left pixel's red value encodes their index. */
async function image(index: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const img = sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: index * 40, g: 10, b: 10 } },
  });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

async function redValues(source: FrameSource, limit: number): Promise<number[]> {
  const out: number[] = [];
  for await (const f of source) {
    assert.equal(f.width, 32);
    assert.equal(f.image.format === 'rgb' && f.image.pixels.length, 32 * 24 * 3);
    out.push(f.image.format === 'rgb' ? Math.round(f.image.pixels[0]! / 40) : -1);
    if (out.length === limit) {
      await source.close();
    }
  }
  return out;
}

describe('image folder source', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framepipe-folder-'));
    await writeFile(join(dir, 'b-2.png'), await image(2, 'png'));
    await writeFile(join(dir, 'a-1.jpg'), await image(1, 'jpeg'));
    await writeFile(join(dir, 'c-3.JPEG'), await image(3, 'jpeg'));
    await writeFile(join(dir, 'notes.txt'), 'not an image');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('keeps jpg, jpeg and png files in a stable sorted order', () => {
    assert.deepEqual(sortImageNames(['b.png', 'a.txt', 'C.JPG', 'a.jpeg', 'B.jpg']), [
      'B.jpg',
      'C.JPG',
      'a.jpeg',
      'b.png',
    ]);
  });

  it('yields each image once in name order, resized, then ends', async () => {
    const source = createImageFolderSource({ path: dir, width: 32, height: 24, loop: false });
    assert.deepEqual(await redValues(source, 100), [1, 2, 3]);
  });

  it('starts again from the first image when looping', async () => {
    const source = createImageFolderSource({ path: dir, width: 32, height: 24, loop: true });
    assert.deepEqual(await redValues(source, 7), [1, 2, 3, 1, 2, 3, 1]);
  });

  it('fails with a source error for a folder without images', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'framepipe-empty-'));
    const source = createImageFolderSource({ path: empty, width: 32, height: 24, loop: false });
    await assert.rejects(redValues(source, 1), { code: 'FRAMEPIPE_ERR_SOURCE' });
    await rm(empty, { recursive: true });
  });
});
