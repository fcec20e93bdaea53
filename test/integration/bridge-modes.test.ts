import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { pushCommand } from '../../src/command-queue/command-queue.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { encodeFrameFields, nowUs } from '../../src/shared/stream-entries.js';
import { validJpeg } from '../helpers/frames.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { waitForValue } from '../helpers/wait-for.js';
import { addResult, addSource, startBridge } from '../unit/bridge/helpers/bridge-fixtures.js';
import { RespSubscriber, type PubSubMessage } from '../unit/bridge/helpers/resp-subscriber.js';

interface Env {
  type: string;
  timestamp: number;
  payload: Record<string, unknown>;
}
const parse = (m: PubSubMessage | string): Env =>
  JSON.parse(typeof m === 'string' ? m : m.data) as Env;

const PYTHON = '/usr/bin/python3';
const pythonRedis = spawnSync(PYTHON, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;

/** A subscriber as a Python user would write it with redis-py: subscribe, json.loads. */
const PY_SUBSCRIBER = `
import json, sys, redis
r = redis.Redis(port=int(sys.argv[1]))
p = r.pubsub()
p.subscribe(sys.argv[2])
p.get_message(timeout=10)  # the subscribe confirmation
print("ready", flush=True)
while True:
    m = p.get_message(timeout=30)
    if m is None:
        sys.exit(3)
    if m["type"] == "message":
        e = json.loads(m["data"])
        print(json.dumps({"type": e["type"], "ts": e["timestamp"], "plate": e["payload"]["result"]["plate"]}), flush=True)
        break
`;

describe('bridge: limits, key-value mode, frames, recording and other clients', () => {
  const subscribers: RespSubscriber[] = [];
  const server = useRedisServer({
    beforeStop: () => {
      subscribers.forEach((s) => s.close());
    },
  });
  const subscribe = async (channel: string) => {
    const s = await RespSubscriber.connect(server.port);
    subscribers.push(s);
    await s.subscribe('SUBSCRIBE', channel);
    return s;
  };

  it('an envelope over maxMessageBytes is refused and counted, and the next one still goes out', async () => {
    const bridge = await startBridge(server, { maxMessageBytes: 2048 });
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const sub = await subscribe(`${prefix}:core_metrics`);

    await addResult(server.redis, prefix, 1, { blob: 'x'.repeat(4096) });
    await addResult(server.redis, prefix, 2, { plate: 'SMALL1' });

    const m = await sub.next(() => true);
    assert.equal(parse(m).payload.seq, 2, 'the oversized envelope was never published');
    const stats = await bridge.stop();
    assert.equal(stats.refused, 1);
    const metric = await bridge.runtime.metrics.registry
      .getSingleMetric('framepipe_bridge_messages_refused_total')
      ?.get();
    assert.equal(metric?.values.find((v) => v.labels.type === 'core_metrics')?.value, 1);
  });

  it('in key-value mode the latest envelope per type is stored under a key with a TTL', async () => {
    const bridge = await startBridge(server, { mode: 'kv', kvTtlMs: 30_000 });
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const key = `${prefix}:core_metrics:latest`;

    await addResult(server.redis, prefix, 1, { plate: 'FIRST1' });
    await addResult(server.redis, prefix, 2, { plate: 'LAST22' });

    const latest = await waitForValue(
      'the latest envelope to be seq 2',
      async () => {
        const text = await server.redis.get(key);
        return text === null ? undefined : parse(text);
      },
      (env) => env?.payload.seq === 2,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    assert.equal(latest?.type, 'core_metrics');
    assert.equal(latest?.payload.seq, 2);
    const ttl = await server.redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 30_000, `TTL ${ttl}`);
    const state = parse((await server.redis.get(`${prefix}:recording_state:latest`))!);
    assert.equal(state.payload.recording, false);
    await bridge.stop();
  });

  it('in key-value mode a recording state that does not change stays under its key past the TTL', async () => {
    const bridge = await startBridge(server, { mode: 'kv', kvTtlMs: 600, statusIntervalMs: 50 });
    const key = `${bridge.prefix}:recording_state:latest`;
    await waitForValue(
      'the state key',
      () => server.redis.get(key),
      (v) => v !== null,
      {
        timeoutMs: 5_000,
        intervalMs: 20,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // 2.5 TTLs, no change
    assert.notEqual(await server.redis.get(key), null, 'the state is set again before it lapses');
    await bridge.stop();
  });

  it('frames are published downscaled as base64 JPEG with their width, height and format', async () => {
    const bridge = await startBridge(server, { frames: true, frameFps: 20, frameWidth: 160 });
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const sub = await subscribe(`${prefix}:frame`);
    const jpeg = await validJpeg(640, 480, 3);
    const fields = encodeFrameFields({
      source: 'cam1',
      seq: 5,
      captureUs: nowUs(),
      width: 640,
      height: 480,
      format: 'jpeg',
      data: jpeg,
    });
    await server.redis.xadd(sourceKeys(prefix, 'cam1').frames, `${Date.now()}-5`, ...fields);

    const e = parse(await sub.next(() => true));
    assert.equal(e.type, 'frame');
    assert.deepEqual([e.payload.width, e.payload.height, e.payload.format], [160, 120, 'jpeg']);
    const bytes = Buffer.from(String(e.payload.data), 'base64');
    assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8]);
    assert.ok(bytes.length < jpeg.length);
    await bridge.stop();
  });

  it('a recording command is applied and announced on recording_state', async () => {
    const bridge = await startBridge(server);
    const { prefix } = bridge;
    const sub = await subscribe(`${prefix}:recording_state`);

    await pushCommand(server.redis, prefix, { recording: true, sources: ['cam1'] });

    const e = parse(await sub.next((m) => parse(m).payload.recording === true));
    assert.deepEqual(e.payload.sources, ['cam1']);
    assert.equal(typeof e.payload.session, 'string');
    const stats = await bridge.stop();
    assert.equal(stats.commandsApplied, 1);
  });

  it(
    'a redis-py subscriber receives the envelope unchanged',
    { skip: pythonRedis ? false : 'python3-redis is not installed for /usr/bin/python3' },
    async () => {
      const bridge = await startBridge(server);
      const { prefix } = bridge;
      await addSource(server.redis, prefix);
      const py = spawn(PYTHON, [
        '-c',
        PY_SUBSCRIBER,
        String(server.port),
        `${prefix}:core_metrics`,
      ]);
      let out = '';
      py.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((r) => py.on('exit', (code) => r(code)));
      while (!out.includes('ready\n')) {
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(py.exitCode, null, 'python subscriber exited early');
      }
      const numsub = (await server.redis.call(
        'PUBSUB',
        'NUMSUB',
        `${prefix}:core_metrics`,
      )) as unknown[];
      assert.equal(numsub[1], 1);

      await addResult(server.redis, prefix, 1, { plate: 'PY12345', confidence: 0.9 });

      assert.equal(await exited, 0);
      const line = JSON.parse(out.split('\n')[1]!) as { type: string; ts: number; plate: string };
      assert.equal(line.type, 'core_metrics');
      assert.equal(line.plate, 'PY12345');
      assert.ok(Number.isSafeInteger(line.ts));
      await bridge.stop();
    },
  );
});
