import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramePool } from '../../src/workers/frame-pool.js';
import { plateSceneFrame } from '../helpers/plate-scenes.js';

// The plate processor as the worker runs it: loaded by URL on two Piscina threads, one reader each.
const PROCESSOR_URL = new URL(
  `../../src/plates/plate-processor${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
).href;

test('the plate processor reads synthetic scenes on the worker pool and checks them against their truth', async () => {
  const pool = createFramePool({
    threads: 2,
    maxQueue: 16,
    processorUrl: PROCESSOR_URL,
    closeTimeoutMs: 10_000,
  });
  try {
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const { frame } = await plateSceneFrame('pool', i, 'easy');
        const { value } = await pool.run(frame, { thumbnailDir: '', thumbnailWidth: 0 });
        return value as { plate: string | null; truth?: string; correct?: boolean };
      }),
    );
    assert.ok(results.every((r) => typeof r.truth === 'string'));
    assert.ok(results.filter((r) => r.correct === true).length >= 3, JSON.stringify(results));
  } finally {
    await pool.close();
  }
});
