import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { ConfigError, PoisonFrameError, ProcessorError } from '../../../src/shared/errors.js';
import {
  checkProcessor,
  loadProcessor,
  processorUrl,
} from '../../../src/workers/processors/load-processor.js';
import type { FrameInput } from '../../../src/workers/processors/processor.js';
import statsProcessor, { frameStats } from '../../../src/workers/processors/stats.js';
import { greyStats, rgbStats } from '../../../src/workers/processors/grey-stats.js';
import thumbnailProcessor from '../../../src/workers/processors/thumbnail.js';
import noopProcessor from '../../../src/workers/processors/noop.js';
import { corruptJpeg, fixturePath, makeJpeg } from '../../helpers/worker-fixtures.js';

const frame = (data: Uint8Array, seq = 7): FrameInput => ({
  id: '1-0',
  source: 'cam1',
  seq,
  captureUs: 1,
  width: 64,
  height: 48,
  data,
});
const options = { thumbnailDir: tmpdir(), thumbnailWidth: 16 };

async function flatJpeg(grey: number): Promise<Buffer> {
  return sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: grey, g: grey, b: grey } },
  })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe('built-in processors', () => {
  it('stats gives size, a mean near the grey level, and no sharpness for a flat image', async () => {
    const s = await frameStats(frame(await flatJpeg(128)));
    assert.equal(s.width, 64);
    assert.equal(s.height, 48);
    assert.ok(Math.abs(s.mean - 128) < 3, `mean ${s.mean}`);
    assert.ok(s.stdev < 2, `stdev ${s.stdev}`);
    assert.ok(s.sharpness < 2, `sharpness ${s.sharpness}`);
  });

  it('stats finds contrast and sharpness in a striped image, more than in a blurred copy', async () => {
    const striped = await makeJpeg(64, 48);
    const blurred = await sharp(striped).blur(3).jpeg().toBuffer();
    const sharpStats = await frameStats(frame(striped));
    const blurStats = await frameStats(frame(blurred));
    assert.ok(sharpStats.stdev > 50, `stdev ${sharpStats.stdev}`);
    assert.ok(sharpStats.mean > 80 && sharpStats.mean < 170, `mean ${sharpStats.mean}`);
    assert.ok(
      sharpStats.sharpness > blurStats.sharpness * 2,
      `${sharpStats.sharpness} vs ${blurStats.sharpness}`,
    );
  });

  it('stats reads greyscale JPEGs as they are and CMYK ones as sharp converts them to sRGB', async () => {
    const colour = await makeJpeg(64, 48);
    const grey = await sharp(colour).toColourspace('b-w').jpeg().toBuffer();
    const cmyk = await sharp(colour).toColourspace('cmyk').jpeg().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    assert.equal((await sharp(cmyk).metadata()).channels, 4);
    const want = await frameStats(frame(colour));
    const got = await frameStats(frame(grey));
    assert.ok(Math.abs(got.mean - want.mean) < 1, `mean ${got.mean} vs ${want.mean}`);
    assert.ok(Math.abs(got.stdev - want.stdev) < 1, `stdev ${got.stdev} vs ${want.stdev}`);
    // CMYK has no luma of its own: sharp hands it over as sRGB (through its ICC profiles).
    const srgb = await sharp(cmyk).raw().toBuffer({ resolveWithObject: true });
    assert.equal(srgb.info.channels, 3);
    const s = rgbStats(srgb.data, 64, 48);
    const fromCmyk = await frameStats(frame(cmyk));
    assert.equal(fromCmyk.mean, Math.round(s.mean * 1000) / 1000);
    assert.equal(fromCmyk.width, 64);
  });

  it('turns a JPEG sharp cannot decode into a PoisonFrameError', async () => {
    await assert.rejects(statsProcessor.process(frame(corruptJpeg()), options), (err: unknown) => {
      assert.ok(err instanceof PoisonFrameError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_POISON_FRAME');
      return true;
    });
    await assert.rejects(
      thumbnailProcessor.process(frame(corruptJpeg()), options),
      PoisonFrameError,
    );
  });

  it('thumbnail writes <dir>/<source>/<seq>.jpg at the configured width', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framepipe-thumbs-'));
    try {
      const result = (await thumbnailProcessor.process(frame(await makeJpeg(), 42), {
        thumbnailDir: dir,
        thumbnailWidth: 16,
      })) as { path: string };
      assert.equal(result.path, join(dir, 'cam1', '42.jpg'));
      const meta = await sharp(result.path).metadata();
      assert.equal(meta.width, 16);
      assert.equal(meta.height, 12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('noop reports the byte count only', async () => {
    assert.deepEqual(await noopProcessor.process(frame(new Uint8Array(10)), options), {
      bytes: 10,
    });
  });
});

describe('loading a processor', () => {
  it('loads every built-in by name and says where it runs', async () => {
    for (const name of ['stats', 'thumbnail', 'noop']) {
      const { processor } = await loadProcessor(name);
      assert.equal(processor.name, name);
      assert.equal(processor.runsOn, 'inline');
    }
  });

  it('loads a user module by path, relative to the working directory', async () => {
    const path = fixturePath('checksum-pool.ts');
    const { processor, url } = await loadProcessor(path);
    assert.equal(processor.name, 'checksum');
    assert.equal(processor.runsOn, 'pool');
    assert.ok(url.startsWith('file://'));
    assert.equal(processorUrl('./x/model.js', '/srv/app'), 'file:///srv/app/x/model.js');
  });

  it('refuses an unknown name, a missing file and a module without a valid default export', async () => {
    await assert.rejects(loadProcessor('resnet'), ConfigError);
    await assert.rejects(loadProcessor('./does-not-exist.js'), ProcessorError);
    await assert.rejects(loadProcessor(fixturePath('no-default.ts')), (err: unknown) => {
      assert.ok(err instanceof ProcessorError);
      assert.equal(err.code, 'FRAMEPIPE_ERR_PROCESSOR');
      return true;
    });
  });
});

describe('checkProcessor: worker.processor is checked before anything waits for Redis', () => {
  it('accepts a built-in and a readable module file', async () => {
    await checkProcessor('plate');
    await checkProcessor(fixturePath('checksum-pool.ts'));
  });

  it('refuses an unknown name and a missing file as bad config, naming the option', async () => {
    for (const spec of ['resnet', './does-not-exist.js']) {
      await assert.rejects(checkProcessor(spec), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /worker\.processor/);
        assert.match(err.message, new RegExp(spec.replace('.', '\\.')));
        return true;
      });
    }
  });
});

describe('greyStats: one SIMD pass over the pixels', () => {
  /** The textbook definitions, two passes, no integer tricks. */
  function reference(p: Uint8Array, w: number, h: number) {
    const mean = p.reduce((a, v) => a + v, 0) / p.length;
    const variance = p.reduce((a, v) => a + (v - mean) ** 2, 0) / p.length;
    const laps: number[] = [];
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        laps.push(p[i - 1]! + p[i + 1]! + p[i - w]! + p[i + w]! - 4 * p[i]!);
      }
    }
    const lm = laps.reduce((a, v) => a + v, 0) / Math.max(1, laps.length);
    const lv = laps.reduce((a, v) => a + (v - lm) ** 2, 0) / Math.max(1, laps.length);
    return { mean, variance, laplacianVariance: laps.length === 0 ? 0 : lv };
  }

  it('matches the two-pass definitions on noise, extremes and tiny images', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
    const cases: [number, number, (i: number) => number][] = [
      [640, 480, () => rnd()],
      [1280, 4, (i) => (i % 2 === 0 ? 255 : 0)],
      // Checkerboard: every Laplacian is +-1020, the worst case for int32 sums over a row.
      [4100, 3, (i) => (((i % 4100) + Math.floor(i / 4100)) % 2 === 0 ? 255 : 0)],
      // Wider than the kernel's 4096-pixel segments, with the same worst case.
      [9001, 3, (i) => (((i % 9001) + Math.floor(i / 9001)) % 2 === 0 ? 255 : 0)],
      // Widths that leave scalar tails after the 16- and 8-pixel vector loops.
      [17, 9, () => rnd()],
      [33, 7, () => rnd()],
      [3, 3, (i) => i * 20],
      [2, 5, () => 9],
      [1, 1, () => 200],
    ];
    for (const [w, h, f] of cases) {
      const p = Uint8Array.from({ length: w * h }, (_, i) => Math.floor(f(i)));
      const got = greyStats(p, w, h);
      const want = reference(p, w, h);
      for (const k of ['mean', 'variance', 'laplacianVariance'] as const) {
        assert.ok(
          Math.abs(got[k] - want[k]) <= 1e-6 * Math.max(1, want[k]),
          `${w}x${h} ${k}: ${got[k]} vs ${want[k]}`,
        );
      }
    }
  });

  it('rgbStats is greyStats of the Rec.601 luma, R = G = B giving the grey itself', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (const [w, h] of [
      [37, 11],
      [640, 4],
      [1, 1],
    ] as const) {
      const rgb = Uint8Array.from({ length: w * h * 3 }, rnd);
      const luma = Uint8Array.from({ length: w * h }, (_, i) =>
        Math.floor((77 * rgb[i * 3]! + 150 * rgb[i * 3 + 1]! + 29 * rgb[i * 3 + 2]! + 128) / 256),
      );
      assert.deepEqual(rgbStats(rgb, w, h), greyStats(luma, w, h), `${w}x${h}`);
      const grey = Uint8Array.from({ length: w * h }, rnd);
      const asRgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => grey[Math.floor(i / 3)]!);
      assert.deepEqual(rgbStats(asRgb, w, h), greyStats(grey, w, h));
    }
    assert.throws(() => rgbStats(new Uint8Array(8), 2, 2), RangeError);
  });

  it('reads a view at any offset, after the kernel memory grew, and refuses short input', () => {
    const big = Uint8Array.from({ length: 2000 * 1500 }, (_, i) => (i * 31) % 251);
    const small = Buffer.from(Uint8Array.from({ length: 1 + 64 * 48 }, (_, i) => (i * 7) % 256));
    const view = small.subarray(1); // odd byte offset into a shared pool-like buffer
    const before = greyStats(view, 64, 48);
    greyStats(big, 2000, 1500); // grows the kernel's memory: old views are detached
    assert.deepEqual(greyStats(view, 64, 48), before);
    assert.equal(before.mean, view.reduce((a, v) => a + v, 0) / view.length);
    assert.throws(() => greyStats(view, 64, 49), RangeError);
  });
});
