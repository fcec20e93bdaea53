import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshResultsFile } from '../../../bench/lib/results-file.js';

describe('freshResultsFile: a bench run never replaces committed results', () => {
  it('names the day, and adds the start time when that file is there already', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'fp-results-')), 'results');
    const started = new Date('2026-11-26T07:05:09.123Z');
    const first = await freshResultsFile(dir, '2026-11-26-full', started);
    assert.equal(first, join(dir, '2026-11-26-full.json'));
    await writeFile(first, '{}');
    assert.equal(
      await freshResultsFile(dir, '2026-11-26-full', started),
      join(dir, '2026-11-26-full-070509.json'),
    );
  });
});
