import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  createImageFolderSource,
  sortImageNames,
} from '../../../src/producer/sources/image-folder-source.js';
import {
  isUnreadable,
  type FrameSource,
  type SourceItem,
} from '../../../src/producer/sources/frame-source.js';
import { ConfigError, SourceError } from '../../../src/shared/errors.js';

/** Images whose top-left pixel's red value encodes their index. */
async function image(index: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const img = sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: index * 40, g: 10, b: 10 } },
  });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

/** Bytes no image decoder recognises; deterministic, so the test cannot flake. */
function noise(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 197 + 13) & 0x7f));
}

/** Each item as its image index, or `reason:file` for an input the source could not read. */
async function items(source: FrameSource<SourceItem>, limit: number): Promise<(number | string)[]> {
  const out: (number | string)[] = [];
  for await (const f of source) {
    if (isUnreadable(f)) {
      const { reason, input } = f.unreadable;
      out.push(`${reason}:${input.slice(input.lastIndexOf('/') + 1)}`);
    } else {
      assert.equal(f.width, 32);
      assert.equal(f.image.format === 'rgb' && f.image.pixels.length, 32 * 24 * 3);
      out.push(f.image.format === 'rgb' ? Math.round(f.image.pixels[0]! / 40) : -1);
    }
    if (out.length === limit) {
      await source.close();
    }
  }
  return out;
}

const folder = (path: string, loop = false) =>
  createImageFolderSource({ path, width: 32, height: 24, loop });

describe('image folder source', () => {
  let root: string;
  let dir: string;
  let bad: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'framepipe-folder-'));
    dir = join(root, 'good');
    await mkdir(dir);
    await writeFile(join(dir, 'b-2.png'), await image(2, 'png'));
    await writeFile(join(dir, 'a-1.jpg'), await image(1, 'jpeg'));
    await writeFile(join(dir, 'c-3.JPEG'), await image(3, 'jpeg'));
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    bad = join(root, 'bad');
    await mkdir(bad);
    const valid = await image(4, 'jpeg');
    await writeFile(join(bad, 'a.jpg'), await image(1, 'jpeg'));
    await writeFile(join(bad, 'b.jpg'), Buffer.alloc(0));
    await writeFile(join(bad, 'c.jpg'), valid.subarray(0, Math.floor(valid.length / 2)));
    await writeFile(join(bad, 'd.png'), noise(512));
    await writeFile(join(bad, 'e.jpg'), await image(2, 'jpeg'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('keeps jpg, jpeg and png files in a stable sorted order', () => {
    assert.deepEqual(sortImageNames(['b.png', 'a.txt', 'C.JPG', 'a.jpeg', 'B.jpg']), [
      'B.jpg',
      'C.JPG',
      'a.jpeg',
      'b.png',
    ]);
  });

  it('yields each image once in name order, resized, then ends', async () => {
    assert.deepEqual(await items(folder(dir), 100), [1, 2, 3]);
  });

  it('starts again from the first image when looping', async () => {
    assert.deepEqual(await items(folder(dir, true), 7), [1, 2, 3, 1, 2, 3, 1]);
  });

  it('fails with a source error for a folder without images', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'framepipe-empty-'));
    await assert.rejects(items(folder(empty), 1), { code: 'FRAMEPIPE_ERR_SOURCE' });
    await rm(empty, { recursive: true });
  });

  it('yields empty, truncated and random-bytes files as decode errors in order, and goes on', async () => {
    assert.deepEqual(await items(folder(bad), 100), [
      1,
      'decode_error:b.jpg',
      'decode_error:c.jpg',
      'decode_error:d.png',
      2,
    ]);
  });

  it("keeps sharp's reason as the unreadable input's error", async () => {
    for await (const f of folder(bad)) {
      if (isUnreadable(f)) {
        assert.ok(f.unreadable.err instanceof Error);
        assert.notEqual(f.unreadable.err.message, '');
        break;
      }
    }
  });

  it('yields a file removed between listing and reading as unreadable', async () => {
    const gone = join(root, 'gone');
    await mkdir(gone);
    await writeFile(join(gone, '1.jpg'), await image(1, 'jpeg'));
    await writeFile(join(gone, '2.jpg'), await image(2, 'jpeg'));
    await writeFile(join(gone, '3.jpg'), await image(3, 'jpeg'));
    const out: (number | string)[] = [];
    for await (const f of folder(gone)) {
      if (out.length === 0) {
        await unlink(join(gone, '2.jpg')); // listed before the first yield, read after it
      }
      out.push(isUnreadable(f) ? f.unreadable.reason : out.length + 1);
      if (isUnreadable(f)) {
        assert.equal((f.unreadable.err as NodeJS.ErrnoException).code, 'ENOENT');
      }
    }
    assert.deepEqual(out, [1, 'unreadable', 3]);
  });

  it('ends with a source error, not a spin, when no file of a pass can be read, even looping', async () => {
    const junk = join(root, 'junk');
    await mkdir(junk);
    await writeFile(join(junk, 'x.jpg'), Buffer.alloc(0));
    await writeFile(join(junk, 'y.jpg'), noise(64));
    for (const loop of [false, true]) {
      const seen: (number | string)[] = [];
      await assert.rejects(
        (async () => {
          for await (const f of folder(junk, loop)) {
            seen.push(isUnreadable(f) ? f.unreadable.reason : 0);
          }
        })(),
        (err: unknown) => {
          assert.ok(err instanceof SourceError);
          assert.equal(err.code, 'FRAMEPIPE_ERR_SOURCE');
          return true;
        },
      );
      assert.deepEqual(seen, ['decode_error', 'decode_error']);
    }
  });

  describe('check() before anything is registered', () => {
    const rejectsConfig = (path: string) =>
      assert.rejects(folder(path).check!(), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'FRAMEPIPE_ERR_CONFIG');
        assert.equal(err.issues[0]?.path, 'producer.path');
        return true;
      });

    it('passes for a folder with image files, even unreadable ones', async () => {
      await folder(dir).check!();
      await folder(bad).check!();
    });

    it('fails with a config error for a missing path, a file, or a folder without images', async () => {
      await rejectsConfig(join(root, 'nonexistent'));
      await rejectsConfig(join(dir, 'a-1.jpg'));
      const empty = join(root, 'empty');
      await mkdir(empty);
      await writeFile(join(empty, 'readme.txt'), 'no images here');
      await rejectsConfig(empty);
    });
  });
});
