import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { parseConfig } from '../../../src/shared/config/load-config.js';
import { ZERO_ID } from '../../../src/shared/entry-id.js';
import { createLogger, silentLogger } from '../../../src/shared/logger.js';
import { createMetrics } from '../../../src/shared/metrics.js';
import { FrameBuffer } from '../../../src/producer/frame-buffer.js';
import { ingestFrames } from '../../../src/producer/frame-ingest.js';
import type {
  FrameSource,
  RawFrame,
  SourceItem,
} from '../../../src/producer/sources/frame-source.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

function jpegs(count: number): FrameSource {
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      for (let i = 0; i < count; i++) {
        yield { width: 4, height: 4, image: { format: 'jpeg', data: JPEG } };
        await new Promise<void>((resolve) => setImmediate(resolve)); // as real sources do
      }
    },
    close: () => Promise.resolve(),
  };
}

function ingest(fps: number, frames: number, buffer: FrameBuffer): Promise<void> {
  const config = parseConfig([{ producer: { fps } }]).producer;
  return ingestFrames({
    config,
    source: jpegs(frames),
    buffer,
    position: { lastId: ZERO_ID, lastSeq: -1 },
    now: () => 1_000, // the clock stands still: only a cap can make ingest wait
    logger: silentLogger(),
    metrics: createMetrics(new Registry()),
    counters: { refused: 0, dropped: 0, encodeMsTotal: 0, encoded: 0 },
    signal: new AbortController().signal,
  });
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('frame ingest pacing', () => {
  it('at fps 0 takes every frame without a timer (no cap)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const buffer = new FrameBuffer('block', 100);
    await ingest(0, 50, buffer);
    assert.equal(buffer.size, 50);
    assert.equal(buffer.ended, true);
  });

  it('at a cap waits for a timer before each frame (timers held: no frame)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const buffer = new FrameBuffer('block', 100);
    const done = ingest(1000, 5, buffer);
    await turns(20);
    assert.equal(buffer.size, 0);
    t.mock.timers.tick(1);
    await turns(20);
    assert.equal(buffer.size, 1);
    for (let i = 0; i < 50 && !buffer.ended; i++) {
      t.mock.timers.tick(10);
      await turns(5);
    }
    await done;
    assert.equal(buffer.size, 5);
  });
});

describe('frame ingest of unreadable inputs', () => {
  it('warns once per input however often a looping source offers it, and counts every time', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = createLogger(
      { level: 'debug' },
      {
        destination: {
          write: (line: string) =>
            void lines.push(JSON.parse(line) as { level: number; msg: string }),
        },
      },
    );
    const bad = {
      unreadable: { reason: 'decode_error' as const, input: '/in/bad.jpg', err: new Error('no') },
    };
    const good = { width: 4, height: 4, image: { format: 'jpeg' as const, data: JPEG } };
    const source: FrameSource<SourceItem> = {
      async *[Symbol.asyncIterator](): AsyncIterator<SourceItem> {
        for (let pass = 0; pass < 3; pass++) {
          yield bad;
          yield good;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
      close: () => Promise.resolve(),
    };
    const counters = { refused: 0, dropped: 0, encodeMsTotal: 0, encoded: 0 };
    const buffer = new FrameBuffer('block', 100);
    await ingestFrames({
      config: parseConfig([{ producer: { fps: 0 } }]).producer,
      source,
      buffer,
      position: { lastId: ZERO_ID, lastSeq: -1 },
      now: () => 1_000,
      logger,
      metrics: createMetrics(new Registry()),
      counters,
      signal: new AbortController().signal,
    });
    assert.equal(counters.refused, 3);
    assert.equal(buffer.size, 3);
    const about = lines.filter((l) => l.msg.includes('input unreadable'));
    assert.deepEqual(
      about.map((l) => l.level),
      [40, 20, 20],
      'one warning, then debug',
    );
  });
});
