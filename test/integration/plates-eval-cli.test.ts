import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderPlateScene } from '../../src/plates/synthetic/render-plate-scene.js';
import { runCli } from '../helpers/cli.js';
import { corruptJpeg } from '../helpers/frames.js';

describe('framepipe plates eval', () => {
  let dir = '';
  let truth = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framepipe-plates-eval-'));
    const rows = ['file,plate'];
    const scene = await renderPlateScene({
      seed: 'cli',
      index: 0,
      width: 640,
      height: 480,
      difficulty: 'easy',
    });
    await writeFile(join(dir, 'good.jpg'), scene.jpeg);
    await writeFile(join(dir, 'corrupt.jpg'), corruptJpeg());
    rows.push(`good.jpg,${scene.truth.plate}`, 'missing.jpg,ABC123', 'corrupt.jpg,DEF456');
    truth = join(dir, 'truth.csv');
    await writeFile(truth, `${rows.join('\n')}\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('names a missing and a corrupt image, skips them and still reports the rest', async () => {
    const run = await runCli(['plates', 'eval', '--images', dir, '--truth', truth]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\| 1 \|/, 'one image read');
    assert.match(run.stdout, /Skipped, not counted above \(2\)/);
    assert.match(run.stdout, /- missing\.jpg: file not found/);
    assert.match(run.stdout, /- corrupt\.jpg: .*cannot be decoded/);
    assert.doesNotMatch(run.stderr, /ENOENT|\n\s+at /, 'no raw error, no stack');
    // Not a terminal: every stderr line stands alone, the bar never runs into a message.
    assert.doesNotMatch(run.stderr, /\r/);
    assert.ok(run.stderr.endsWith('\n'), JSON.stringify(run.stderr));
    const lines = run.stderr.trimEnd().split('\n');
    assert.ok(lines.includes('framepipe: skipped missing.jpg: file not found'), run.stderr);
    assert.ok(
      lines.every((l) => /^\[[#.]+\] \d+\/3$/.test(l) || l.startsWith('framepipe: skipped ')),
      run.stderr,
    );
  });

  it('exits 2 when no image of the CSV could be read (a folder and a CSV that do not match)', async () => {
    const other = join(dir, 'other.csv');
    await writeFile(other, 'file,plate\nnot-here.jpg,ABC123\n');
    const run = await runCli(['plates', 'eval', '--images', dir, '--truth', other]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /no image of --truth .*other\.csv could be read .*\(1 skipped\)/);
  });

  it('a missing --images folder is a clear usage error, not a crash', async () => {
    const run = await runCli(['plates', 'eval', '--images', join(dir, 'nope'), '--truth', truth]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^framepipe: images: .*nope is not a readable folder\n$/);
  });

  it('refuses a --limit that is not a positive whole number, with exit code 2', async () => {
    for (const limit of ['-1', '0', '1.5', 'all']) {
      const run = await runCli([
        'plates',
        'eval',
        '--images',
        dir,
        '--truth',
        truth,
        '--limit',
        limit,
      ]);
      assert.equal(run.code, 2, `${limit}: ${run.stderr}`);
      assert.match(run.stderr, /^framepipe: --limit: expected a whole number >= 1/);
    }
  });
});
