import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCameraSource } from '../../../src/producer/sources/camera-source.js';
import { validJpeg } from '../../helpers/frames.js';

describe('camera source (with a fake ffmpeg that drops the stream)', () => {
  let dir: string;
  let images: Buffer[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framepipe-camera-'));
    images = await Promise.all([1, 2].map((s) => validJpeg(32, 24, s)));
    await writeFile(join(dir, 'out.mjpeg'), Buffer.concat(images));
    // Each run writes two frames, then fails like a camera that went away.
    await writeFile(join(dir, 'ffmpeg'), `#!/bin/sh\ncat "${dir}/out.mjpeg"\nexit 1\n`);
    await chmod(join(dir, 'ffmpeg'), 0o755);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reconnects with backoff after ffmpeg stops and keeps yielding frames', async () => {
    const reconnects: unknown[] = [];
    const source = createCameraSource({
      path: 'rtsp://camera/1',
      width: 32,
      height: 24,
      quality: 80,
      fps: 30,
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
      random: () => 0,
      onReconnect: (err) => reconnects.push(err),
    });
    const frames: Buffer[] = [];
    for await (const f of source) {
      frames.push(f.image.format === 'jpeg' ? f.image.data : Buffer.alloc(0));
      if (frames.length === 5) {
        await source.close();
      }
    }
    assert.deepEqual(frames, [images[0], images[1], images[0], images[1], images[0]]);
    assert.equal(reconnects.length, 2);
    assert.equal((reconnects[0] as { code?: string }).code, 'FRAMEPIPE_ERR_SOURCE');
  });
});
