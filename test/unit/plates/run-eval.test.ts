import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  formatEvalReport,
  runPlateEval,
  type EvalProgress,
} from '../../../src/plates/eval/run-eval.js';
import type { PlateReader } from '../../../src/plates/plate-reader.js';
import { ConfigError, PoisonFrameError, ProcessorError } from '../../../src/shared/errors.js';

/**
 * Reads "PLATE:<text>" files; anything else is not an image, as the real reader says. Plates
 * starting with X count as a second look, over a count that did not start at 0 (a reader used
 * before): the report gives this run's looks.
 */
const fakeReader = (): PlateReader => {
  let looks = 5;
  return {
    read(image) {
      const text = Buffer.from(image).toString();
      if (!text.startsWith('PLATE:')) {
        return Promise.reject(new PoisonFrameError('plate reader: the image cannot be decoded'));
      }
      if (text.startsWith('PLATE:X')) {
        looks++;
      }
      const bbox = { x: 0, y: 0, w: 1, h: 1 };
      return Promise.resolve([{ text: text.slice(6), confidence: 1, bbox, layout: null }]);
    },
    get secondLooks() {
      return looks;
    },
    close: () => Promise.resolve(),
  };
};

describe('plates eval over a folder with bad files', () => {
  let dir = '';
  let truth = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framepipe-eval-'));
    await writeFile(join(dir, 'a.jpg'), 'PLATE:ABC123');
    await writeFile(join(dir, 'corrupt.jpg'), Buffer.from([0xff, 0xd8, 1, 2, 3]));
    await writeFile(join(dir, 'c.jpg'), 'PLATE:XYZ999');
    truth = join(dir, 'truth.csv');
    await writeFile(
      truth,
      'file,plate\na.jpg,ABC123\nmissing.jpg,QQQ111\ncorrupt.jpg,DEF456\nc.jpg,XYZ999\n',
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('skips a missing or undecodable image by name, leaves it out of the stats and reads the rest', async () => {
    const progress: EvalProgress[] = [];
    const report = await runPlateEval({
      images: dir,
      truth,
      reader: fakeReader(),
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(
      report.samples.map((s) => s.id),
      ['a.jpg', 'c.jpg'],
    );
    assert.deepEqual(
      report.skipped?.map((s) => [s.id, s.reason]),
      [
        ['missing.jpg', 'file not found'],
        ['corrupt.jpg', 'plate reader: the image cannot be decoded'],
      ],
    );
    assert.equal(report.groups[0]?.count, 2);
    assert.equal(report.groups[0]?.exactRate, 1);
    assert.deepEqual(
      progress.map((p) => [p.done, p.total, p.skipped?.id ?? p.sample?.id]),
      [
        [1, 4, 'a.jpg'],
        [2, 4, 'missing.jpg'],
        [3, 4, 'corrupt.jpg'],
        [4, 4, 'c.jpg'],
      ],
    );
    assert.equal(report.secondLooks, 1);
    const text = formatEvalReport(report);
    assert.match(text, /Second looks: 1 of 2 images read/);
    assert.match(text, /Skipped, not counted above \(2\)/);
    assert.match(text, /- missing\.jpg: file not found/);
    assert.match(text, /- corrupt\.jpg: .*cannot be decoded/);
  });

  it('a reader failure that is not about the image ends the eval', async () => {
    const broken: PlateReader = {
      read: () => Promise.reject(new ProcessorError('plate reader is closed')),
      secondLooks: 0,
      close: () => Promise.resolve(),
    };
    await assert.rejects(runPlateEval({ images: dir, truth, reader: broken }), ProcessorError);
  });

  it('limit takes the first n files and refuses anything but a whole number >= 1', async () => {
    const first = await runPlateEval({ images: dir, truth, reader: fakeReader(), limit: 1 });
    assert.deepEqual(
      first.samples.map((s) => s.id),
      ['a.jpg'],
    );
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(
        runPlateEval({ images: dir, truth, reader: fakeReader(), limit }),
        ConfigError,
        String(limit),
      );
    }
  });

  it('a missing truth CSV or images folder is bad input, not a crash', async () => {
    await assert.rejects(
      runPlateEval({ images: dir, truth: join(dir, 'nope.csv'), reader: fakeReader() }),
      ConfigError,
    );
    await assert.rejects(
      runPlateEval({ images: join(dir, 'nope'), truth, reader: fakeReader() }),
      ConfigError,
    );
  });
});
