import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { runCli, startCli } from '../helpers/cli.js';
import { freePort, useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';

/** Value of one series in a Prometheus text exposition, or undefined. */
function seriesValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) {
      continue;
    }
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

describe('/metrics, /healthz and /readyz', () => {
  const server = useRedisServer();

  it('a worker reports what it processed, the stream gauges and its health', async () => {
    const prefix = `test-${randomUUID()}`;
    const keys = sourceKeys(prefix, 'cam1');
    const common = ['--redis-url', server.url, '--prefix', prefix];
    const produced = await runCli([
      'produce',
      ...common,
      '--frames',
      '120',
      '--fps',
      '1000',
      '--width',
      '320',
      '--height',
      '240',
    ]);
    assert.equal(produced.code, 0, produced.stderr);

    const port = await freePort();
    const worker = startCli([
      'work',
      ...common,
      '--metrics-port',
      String(port),
      '--processor',
      'stats',
    ]);
    try {
      await waitForValue(
        '120 results',
        () => server.redis.xlen(keys.results),
        (n) => n >= 120,
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const metrics = await waitForValue(
        'processed counter at 120',
        () => get(port, '/metrics'),
        (r) => seriesValue(r.body, 'framepipe_frames_processed_total', { source: 'cam1' }) === 120,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const text = metrics.body;
      assert.equal(
        seriesValue(text, 'framepipe_frames_processed_total', {
          source: 'cam1',
          processor: 'stats',
        }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_end_to_end_latency_seconds_count', { source: 'cam1' }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_process_duration_seconds_count', { processor: 'stats' }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_stream_length', { source: 'cam1', stream: 'results' }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_stream_length', { source: 'cam1', stream: 'dlq' }),
        0,
      );
      assert.equal(
        seriesValue(text, 'framepipe_consumer_group_pending', { source: 'cam1', group: 'workers' }),
        0,
      );
      assert.equal(
        seriesValue(text, 'framepipe_consumer_group_lag', { source: 'cam1', group: 'workers' }),
        0,
      );
      assert.ok((seriesValue(text, 'framepipe_redis_used_memory_bytes') ?? 0) > 0);
      assert.equal(
        seriesValue(text, 'framepipe_stream_entries_total', {
          source: 'cam1',
          outcome: 'produced',
        }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_stream_entries_total', {
          source: 'cam1',
          outcome: 'processed',
        }),
        120,
      );
      assert.equal(
        seriesValue(text, 'framepipe_stream_entries_total', {
          source: 'cam1',
          outcome: 'dropped_unread',
        }),
        0,
      );
      assert.ok(
        seriesValue(text, 'framepipe_process_resident_memory_bytes') !== undefined,
        'default process metrics',
      );
      assert.equal((await get(port, '/healthz')).status, 200);
      assert.equal((await get(port, '/readyz')).status, 200);
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
  });

  it('a producer serves its own counters while it runs', async () => {
    const prefix = `test-${randomUUID()}`;
    const port = await freePort();
    const producer = startCli([
      'produce',
      '--redis-url',
      server.url,
      '--prefix',
      prefix,
      '--metrics-port',
      String(port),
      '--frames',
      '0',
      '--fps',
      '50',
      '--width',
      '160',
      '--height',
      '120',
    ]);
    try {
      const r = await waitForValue(
        'produced counter',
        () => get(port, '/metrics'),
        (res) =>
          (seriesValue(res.body, 'framepipe_frames_produced_total', { source: 'cam1' }) ?? 0) >= 10,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      assert.ok((seriesValue(r.body, 'framepipe_frame_bytes_total', { source: 'cam1' }) ?? 0) > 0);
      assert.equal((await get(port, '/readyz')).status, 200);
    } finally {
      producer.child.kill('SIGTERM');
      assert.equal(await producer.exited, 0, producer.stderr());
    }
  });
});
