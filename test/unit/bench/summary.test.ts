import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countPerStream, handFrameInput } from '../../../bench/lib/hand-streams.js';
import { summarise, throughputRows } from '../../../bench/lib/summary.js';
import type { ScenarioResult, System } from '../../../bench/lib/tasks.js';

function run(
  system: System,
  processor: 'noop' | 'stats',
  fps: number,
  redisUs?: number,
): ScenarioResult {
  return {
    scenario: `${system} ${processor} 640x480`,
    system,
    kind: system === 'bare' || system === 'framepipe' || system === 'streams' ? system : 'bullmq',
    size: '640x480',
    processor,
    frames: 100,
    seconds: 1,
    frames_per_s: fps,
    mb_per_s: 1,
    jpeg_bytes_mean: 43_000,
    ...(redisUs === undefined ? {} : { redis_cpu_us_per_frame: redisUs }),
    settings: {},
  };
}

describe('bench summary with the hand-written streams loop', () => {
  const results = [
    run('bare', 'stats', 700),
    run('framepipe', 'stats', 630, 120),
    run('streams', 'stats', 665, 90),
    run('bullmq', 'stats', 500, 360),
    { ...run('bullmq', 'stats', 520, 350), scenario: 'bullmq stats 640x480 c32' },
  ];

  it('puts it in the row of its processor and size, with its ratios', () => {
    const [row] = throughputRows(results);
    assert.equal(row?.streams?.frames_per_s, 665);
    assert.equal(row?.streams_vs_bare, 0.95);
    assert.equal(row?.framepipe_vs_streams, 0.947);
    assert.equal(row?.framepipe_vs_bullmq, 1.212);
    // Against the fastest BullMQ setting, as framepipe's ratio is.
    assert.equal(row?.redis_cpu_per_frame_streams_vs_bullmq, 0.257);
  });

  it('reports its figures beside the targets they bound, never as the target itself', () => {
    const s = summarise(results);
    assert.equal(s.framepipe_vs_bare, 0.9);
    assert.equal(s.streams_vs_bare, 0.95);
    assert.equal(s.redis_cpu_per_frame_streams_vs_bullmq, 0.257);
    const bare = s.targets.find((t) => t.target.startsWith('framepipe / bare'));
    assert.equal(bare?.met, false);
    assert.match(bare?.value ?? '', /hand-written streams loop: 640x480 0\.95/);
  });

  it('leaves the ratios out when the loop did not run', () => {
    const [row] = throughputRows(results.filter((r) => r.system !== 'streams'));
    assert.equal(row?.streams_vs_bare, null);
    assert.equal(summarise(results.filter((r) => r.system !== 'streams')).streams_vs_bare, null);
  });
});

describe('hand-written streams loop helpers', () => {
  it('reads a frame entry as the processor input, and refuses one without data', () => {
    const f = (...kv: string[]) => kv.map((s) => Buffer.from(s));
    const input = handFrameInput('5-0', [
      ...f('source', 'cam1', 'seq', '7', 'ts', '9', 'w', '4', 'h', '3', 'data'),
      Buffer.from([0xff, 0xd8]),
    ]);
    assert.deepEqual(
      { ...input, data: [...(input?.data ?? [])] },
      { id: '5-0', source: 'cam1', seq: 7, captureUs: 9, width: 4, height: 3, data: [0xff, 0xd8] },
    );
    assert.equal(handFrameInput('6-0', f('source', 'cam1')), null);
  });

  it('spreads the free slots over the streams (COUNT is per stream), at least one each', () => {
    assert.equal(countPerStream(32, 8), 4);
    assert.equal(countPerStream(17, 8), 3);
    assert.equal(countPerStream(3, 8), 1);
  });
});
