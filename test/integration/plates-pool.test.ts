import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramePool } from '../../src/workers/frame-pool.js';
import { renderPlateScene } from '../../src/plates/synthetic/render-plate-scene.js';

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
        const scene = await renderPlateScene({
          seed: 'pool',
          index: i,
          width: 640,
          height: 480,
          difficulty: 'easy',
        });
        const frame = {
          id: `${i}`,
          source: 'test',
          seq: i,
          captureUs: 0,
          width: 640,
          height: 480,
          data: scene.jpeg,
          meta: scene.truth,
        };
        return pool.run(frame, { thumbnailDir: '', thumbnailWidth: 0 }) as Promise<{
          plate: string | null;
          truth?: string;
          correct?: boolean;
        }>;
      }),
    );
    assert.ok(results.every((r) => typeof r.truth === 'string'));
    assert.ok(results.filter((r) => r.correct === true).length >= 3, JSON.stringify(results));
  } finally {
    await pool.close();
  }
});
