import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVideoFileSource } from '../../../src/producer/sources/video-file-source.js';
import { validJpeg } from '../../helpers/frames.js';

/** A fake `ffmpeg` first on PATH: records its arguments and writes concatenated JPEGs. */
describe('video file source (with a fake ffmpeg)', () => {
  let dir: string;
  let images: Buffer[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framepipe-ffmpeg-'));
    images = await Promise.all([1, 2, 3, 4].map((s) => validJpeg(32, 24, s)));
    await writeFile(join(dir, 'out.mjpeg'), Buffer.concat(images));
    const script = `#!/bin/sh\necho "$@" > "${dir}/args.txt"\ncat "${dir}/out.mjpeg"\nexit \${FAKE_FFMPEG_EXIT:-0}\n`;
    await writeFile(join(dir, 'ffmpeg'), script);
    await chmod(join(dir, 'ffmpeg'), 0o755);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    PATH: `${dir}:${process.env.PATH ?? ''}`,
    ...extra,
  });

  it('yields each JPEG that ffmpeg writes, byte for byte', async () => {
    const source = createVideoFileSource({
      path: '/videos/in.mp4',
      width: 32,
      height: 24,
      quality: 80,
      loop: false,
      env: env(),
    });
    const frames = [];
    for await (const f of source) {
      frames.push(f.image.format === 'jpeg' ? f.image.data : Buffer.alloc(0));
    }
    assert.deepEqual(frames, images);
    const args = await readFile(join(dir, 'args.txt'), 'utf8');
    assert.match(args, /-i \/videos\/in\.mp4 .*-f image2pipe -vcodec mjpeg .*scale=32:24 -$/m);
  });

  it('fails with a source error when ffmpeg exits non-zero', async () => {
    const source = createVideoFileSource({
      path: 'x.mp4',
      width: 32,
      height: 24,
      quality: 80,
      loop: false,
      env: env({ FAKE_FFMPEG_EXIT: '1' }),
    });
    const run = async () => {
      for await (const _ of source) {
        // drain
      }
    };
    await assert.rejects(run(), { code: 'FRAMEPIPE_ERR_SOURCE' });
  });
});
