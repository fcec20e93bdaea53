import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeOptions } from '../../../src/shared/config/bridge-options.js';
import { encodeEnvelope, envelope } from '../../../src/bridge/envelope.js';
import { commandConsumerName } from '../../../src/bridge/run-bridge.js';
import { deadLetterEnvelope, resultEnvelope } from '../../../src/bridge/entry-envelopes.js';
import {
  diffConsumers,
  nextBackpressure,
  type ConsumerRow,
} from '../../../src/bridge/status-events.js';
import { parseCommand } from '../../../src/command-queue/command-schema.js';
import { nextRecordingState, RECORDING_OFF } from '../../../src/recording/recording-state.js';
import { encodeResultFields } from '../../../src/shared/stream-entries.js';
import { parseResp } from './helpers/resp-subscriber.js';

const buffers = (fields: readonly string[]) => fields.map((f) => Buffer.from(f));
const row = (name: string, idleMs: number): ConsumerRow => ({
  source: 'cam1',
  group: 'workers',
  name,
  idleMs,
  pending: 0,
});

describe('bridge decisions', () => {
  it('defaults maxMessageBytes to 10 MiB and refuses an envelope one byte over the limit', () => {
    const limit = bridgeOptions().maxMessageBytes;
    assert.equal(limit, 10 * 1024 * 1024);
    const e = envelope('status', 1, { text: 'é' });
    const size = Buffer.byteLength(JSON.stringify(e));
    assert.equal(encodeEnvelope(e, size).ok, true);
    assert.deepEqual(encodeEnvelope(e, size - 1), { ok: false, bytes: size });
  });

  it('a result entry becomes a core_metrics envelope timed at its completion', () => {
    const fields = encodeResultFields({
      source: 'cam1',
      frameId: '5-0',
      seq: 5,
      processor: 'plates',
      captureUs: 1_000_000,
      doneUs: 1_250_000,
      durationMs: 3,
      consumer: 'w1',
      payload: { plate: 'ABC123' },
    });
    const e = resultEnvelope('9-0', buffers(fields));
    assert.equal(e.type, 'core_metrics');
    assert.equal(e.timestamp, 1_250_000);
    assert.equal(e.payload.latencyMs, 250);
    assert.deepEqual(e.payload.result, { plate: 'ABC123' });
  });

  it('a result entry with a broken payload throws instead of publishing garbage', () => {
    assert.throws(() => resultEnvelope('9-0', buffers(['source', 'cam1', 'payload', '{'])));
  });

  it('a DLQ entry keeps code and reason but never the JPEG bytes', () => {
    const e = deadLetterEnvelope(
      '7-0',
      buffers(['data', 'JPEGBYTES', 'dlq_code', 'X', 'dlq_reason', 'bad']),
      'cam9',
    );
    assert.equal(e.timestamp, 7000);
    assert.equal(e.payload.source, 'cam9');
    assert.equal(JSON.stringify(e).includes('JPEGBYTES'), false);
  });

  it('consumers: new active ones join, stale ones leave as idle, vanished ones as deleted', () => {
    const first = diffConsumers(new Map(), [row('a', 10), row('b', 10)], 1000);
    assert.deepEqual(
      first.events.map((e) => [e.event, e.consumer]),
      [
        ['worker_joined', 'a'],
        ['worker_joined', 'b'],
      ],
    );
    const second = diffConsumers(first.active, [row('a', 5000), row('c', 1)], 1000);
    assert.deepEqual(
      second.events.map((e) => [e.event, e.consumer, e.reason]),
      [
        ['worker_left', 'a', 'idle'],
        ['worker_joined', 'c', undefined],
        ['worker_left', 'b', 'deleted'],
      ],
    );
    assert.deepEqual(diffConsumers(second.active, [row('c', 2)], 1000).events, []);
  });

  it('backpressure is reported on change only: buffered over the threshold or new drops', () => {
    const a = nextBackpressure('cam1', undefined, { buffered: 0, dropped: 0 }, 10);
    assert.equal(a.event, undefined);
    const b = nextBackpressure('cam1', a.state, { buffered: 12, dropped: 0 }, 10);
    assert.equal(b.event?.active, true);
    const c = nextBackpressure('cam1', b.state, { buffered: 11, dropped: 0 }, 10);
    assert.equal(c.event, undefined, 'still on: no new event');
    const d = nextBackpressure('cam1', c.state, { buffered: 0, dropped: 0 }, 10);
    assert.equal(d.event?.active, false);
    const e = nextBackpressure('cam1', d.state, { buffered: 0, dropped: 3 }, 10);
    assert.equal(e.event?.droppedDelta, 3);
  });

  it('commands: valid ones parse, unknown fields and non-JSON are refused with a reason', () => {
    assert.deepEqual(parseCommand('{"recording":true,"sources":["cam1"]}'), {
      ok: true,
      command: { recording: true, sources: ['cam1'] },
    });
    const typo = parseCommand('{"recordng":true}');
    assert.equal(typo.ok, false);
    assert.match(typo.ok ? '' : typo.reason, /recording/);
    assert.equal(parseCommand('[').ok, false);
  });

  it('recording: start opens a session, a repeated start keeps it, other sources open a new one', () => {
    const on = nextRecordingState(RECORDING_OFF, { recording: true, sources: ['b', 'a'] }, 1e12);
    assert.deepEqual(on.sources, ['a', 'b']);
    assert.equal(on.session, '1970-01-12T13-46-40-000Z');
    assert.equal(nextRecordingState(on, { recording: true, sources: ['a', 'b'] }, 2e12), on);
    assert.notEqual(nextRecordingState(on, { recording: true }, 2e12).session, on.session);
    assert.equal(nextRecordingState(on, { recording: false }, 2e12), RECORDING_OFF);
  });

  it('the RESP test client parses nested replies and waits for partial ones', () => {
    const wire = Buffer.from('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n');
    assert.deepEqual(parseResp(wire)?.value, ['message', 'ch', 'hello']);
    assert.equal(parseResp(wire.subarray(0, wire.length - 3)), undefined);
  });
});

describe('command consumer name', () => {
  it('is bridge.commandConsumer when set, else bridge-<hostname>', () => {
    assert.equal(commandConsumerName('bridge', 'a1b2c3'), 'bridge');
    assert.equal(commandConsumerName(undefined, 'host7'), 'bridge-host7');
  });
});
