import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { encodeDeadLetterFields, nowUs } from '../../src/shared/stream-entries.js';
import { useRedisServer } from '../helpers/redis-server.js';
import {
  addProducerMetrics,
  addResult,
  addSource,
  startBridge,
} from '../unit/bridge/helpers/bridge-fixtures.js';
import { RespSubscriber, type PubSubMessage } from '../unit/bridge/helpers/resp-subscriber.js';

interface Env {
  type: string;
  timestamp: number;
  payload: Record<string, unknown>;
}
const parse = (m: PubSubMessage): Env => JSON.parse(m.data) as Env;

describe('bridge: streams mirrored to pub/sub envelopes', () => {
  const subscribers: RespSubscriber[] = [];
  const server = useRedisServer({
    beforeStop: () => {
      subscribers.forEach((s) => s.close());
    },
  });
  const subscriber = async () => {
    const s = await RespSubscriber.connect(server.port);
    subscribers.push(s);
    return s;
  };

  it('a PSUBSCRIBE {prefix}:* client sees a result as a core_metrics envelope with its payload', async () => {
    const bridge = await startBridge(server);
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const sub = await subscriber();
    await sub.subscribe('PSUBSCRIBE', `${prefix}:*`);
    const before = nowUs();

    await addResult(server.redis, prefix, 7, {
      plate: 'AYO9034',
      confidence: 0.93,
      bbox: [1, 2, 3, 4],
    });

    const m = await sub.next((x) => x.channel === `${prefix}:core_metrics`);
    assert.equal(m.pattern, `${prefix}:*`);
    const e = parse(m);
    assert.deepEqual(Object.keys(e).sort(), ['payload', 'timestamp', 'type']);
    assert.equal(e.type, 'core_metrics');
    assert.ok(Number.isSafeInteger(e.timestamp) && e.timestamp >= before - 1_000_000);
    assert.equal(e.payload.source, 'cam1');
    assert.equal(e.payload.frame, '1007-0');
    assert.equal(e.payload.processor, 'plates');
    assert.deepEqual(e.payload.result, { plate: 'AYO9034', confidence: 0.93, bbox: [1, 2, 3, 4] });
    const stats = await bridge.stop();
    assert.ok(stats.sent >= 1);
  });

  it('PUBSUB NUMSUB counts a plain SUBSCRIBE client on a bridge channel', async () => {
    const bridge = await startBridge(server);
    const sub = await subscriber();
    await sub.subscribe('SUBSCRIBE', `${bridge.prefix}:core_metrics`);
    const reply = (await server.redis.call(
      'PUBSUB',
      'NUMSUB',
      `${bridge.prefix}:core_metrics`,
    )) as [string, number];
    assert.equal(reply[1], 1);
    await bridge.stop();
  });

  it('producer metrics go to edge_metrics, and a producer dropping frames raises a backpressure status', async () => {
    const bridge = await startBridge(server, { backpressureBufferedFrames: 10 });
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const sub = await subscriber();
    await sub.subscribe('PSUBSCRIBE', `${prefix}:*`);

    await addProducerMetrics(server.redis, prefix, {
      fps: 29.5,
      produced: 100,
      dropped: 0,
      buffered: 0,
    });
    await addProducerMetrics(server.redis, prefix, {
      fps: 12,
      produced: 130,
      dropped: 5,
      buffered: 3,
    });
    await addProducerMetrics(server.redis, prefix, {
      fps: 30,
      produced: 160,
      dropped: 5,
      buffered: 0,
    });

    const edge = parse(await sub.next((x) => x.channel === `${prefix}:edge_metrics`));
    assert.equal(edge.type, 'edge_metrics');
    assert.equal(edge.payload.source, 'cam1');
    assert.equal(edge.payload.kind, 'producer');
    assert.deepEqual(edge.payload.metrics, { fps: 29.5, produced: 100, dropped: 0, buffered: 0 });
    const isBackpressure = (x: PubSubMessage) =>
      x.channel === `${prefix}:status` && parse(x).payload.event === 'backpressure';
    const on = await sub.next(isBackpressure);
    assert.equal(parse(on).payload.active, true);
    assert.equal(parse(on).payload.droppedDelta, 5);
    const off = await sub.next(isBackpressure, sub.messages.indexOf(on) + 1);
    assert.equal(parse(off).payload.active, false);
    await bridge.stop();
  });

  it('a dead-lettered frame is announced on the status channel with its code and reason', async () => {
    const bridge = await startBridge(server);
    const { prefix } = bridge;
    await addSource(server.redis, prefix);
    const sub = await subscriber();
    await sub.subscribe('SUBSCRIBE', `${prefix}:status`);

    const info = { code: 'FRAMEPIPE_ERR_POISON_FRAME', reason: 'not a JPEG', deliveries: 1 };
    await server.redis.xadd(
      sourceKeys(prefix, 'cam1').dlq,
      '*',
      ...['source', 'cam1', 'seq', '3', 'data', 'xx', 'dlq_frame', '1003-0'],
      ...encodeDeadLetterFields({ ...info, consumer: 'w1', atUs: nowUs() }),
    );

    const e = parse(await sub.next((x) => parse(x).payload.event === 'dead_letter'));
    assert.equal(e.type, 'status');
    assert.equal(e.payload.frame, '1003-0');
    assert.equal(e.payload.code, info.code);
    assert.equal(e.payload.reason, info.reason);
    assert.equal(e.payload.seq, 3);
    assert.equal('data' in e.payload, false);
    await bridge.stop();
  });

  it('a worker that starts reading is announced as joined, and as left once it is deleted', async () => {
    const bridge = await startBridge(server);
    const { prefix } = bridge;
    const frames = sourceKeys(prefix, 'cam1').frames;
    await server.redis.xgroup('CREATE', frames, 'workers', '0', 'MKSTREAM');
    await addSource(server.redis, prefix);
    const sub = await subscriber();
    await sub.subscribe('SUBSCRIBE', `${prefix}:status`);

    await server.redis.xadd(frames, '*', 'seq', '0');
    await server.redis.xreadgroup('GROUP', 'workers', 'w7', 'COUNT', 1, 'STREAMS', frames, '>');
    const joined = parse(await sub.next((x) => parse(x).payload.event === 'worker_joined'));
    assert.deepEqual(
      [joined.payload.source, joined.payload.group, joined.payload.consumer],
      ['cam1', 'workers', 'w7'],
    );
    await server.redis.xgroup('DELCONSUMER', frames, 'workers', 'w7');
    const left = parse(await sub.next((x) => parse(x).payload.event === 'worker_left'));
    assert.equal(left.payload.consumer, 'w7');
    assert.equal(left.payload.reason, 'deleted');
    await bridge.stop();
  });

  it('a restarted bridge resumes after the last entry it sent, not from now', async () => {
    const first = await startBridge(server);
    const { prefix } = first;
    await addSource(server.redis, prefix);
    const sub = await subscriber();
    await sub.subscribe('SUBSCRIBE', `${prefix}:core_metrics`);
    await addResult(server.redis, prefix, 1, { n: 1 });
    await sub.next((x) => parse(x).payload.seq === 1);
    await first.stop();

    await addResult(server.redis, prefix, 2, { n: 2 }); // written while no bridge runs
    const from = sub.messages.length;
    const second = await startBridge(server, {}, prefix);
    await addResult(server.redis, prefix, 3, { n: 3 });

    await sub.next((x) => parse(x).payload.seq === 3, from);
    const seqs = sub.messages.slice(from).map((x) => parse(x).payload.seq);
    assert.deepEqual(seqs.slice(0, 2), [2, 3], 'entry 2 resent, entry 1 not repeated');
    await second.stop();
  });
});
