import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoisonFrameError, ResultUnstorableError } from '../../../src/shared/errors.js';
import {
  decodeFrameEntry,
  decodeResultEntry,
  encodeFrameFields,
  encodeResultFields,
  payloadJson,
  type FieldValue,
  type NewFrame,
} from '../../../src/shared/stream-entries.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const frame: NewFrame = {
  source: 'cam1',
  seq: 42,
  captureUs: 1_700_000_000_123_456,
  width: 640,
  height: 480,
  format: 'jpeg',
  data: JPEG,
  meta: { plate: 'ABC1234' },
};

/** What ioredis's xreadgroupBuffer hands back: every field a Buffer. */
const asReply = (fields: readonly FieldValue[]): Buffer[] =>
  fields.map((f) => (Buffer.isBuffer(f) ? f : Buffer.from(f)));

function withField(name: string, value: string | undefined): Buffer[] {
  const fields = encodeFrameFields(frame);
  const out: FieldValue[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === name) {
      if (value !== undefined) {
        out.push(name, value);
      }
    } else {
      out.push(fields[i]!, fields[i + 1]!);
    }
  }
  return asReply(out);
}

describe('frame entries', () => {
  it('round-trips every field, with the JPEG as raw bytes (no base64)', () => {
    const fields = encodeFrameFields(frame);
    const data = fields[fields.indexOf('data') + 1];
    assert.ok(Buffer.isBuffer(data) && data.equals(JPEG), 'data travels as the binary buffer');
    const decoded = decodeFrameEntry('1-0', asReply(fields));
    assert.deepEqual(decoded, { id: '1-0', v: 1, ...frame });
  });

  for (const [name, value] of [
    ['seq', undefined],
    ['seq', '-1'],
    ['ts', 'yesterday'],
    ['w', '0'],
    ['fmt', 'png'],
    ['v', '99'],
    ['source', 'a{b}'],
    ['meta', '{broken'],
    ['data', ''],
    ['data', 'not a jpeg'],
  ] as const) {
    it(`refuses an entry with ${name}=${String(value)} as a poison frame`, () => {
      assert.throws(() => decodeFrameEntry('1-0', withField(name, value)), PoisonFrameError);
    });
  }

  it('names the schema version it got and the one it reads', () => {
    assert.throws(
      () => decodeFrameEntry('1-0', withField('v', '99')),
      /entry 1-0: unsupported schema version v="99" \(this worker reads v=1\)/,
    );
    assert.throws(
      () => decodeFrameEntry('1-0', withField('v', undefined)),
      /v \(schema version\) is missing/,
    );
  });

  it('refuses data over the size limit', () => {
    assert.throws(
      () => decodeFrameEntry('1-0', asReply(encodeFrameFields(frame)), 4),
      (err: unknown) => {
        assert.ok(err instanceof PoisonFrameError);
        assert.equal(err.code, 'FRAMEPIPE_ERR_POISON_FRAME');
        return true;
      },
    );
  });
});

describe('result entries', () => {
  it('round-trips a result keyed by the frame entry id', () => {
    const result = {
      source: 'cam1',
      frameId: '1700000000123-0',
      seq: 42,
      processor: 'stats',
      captureUs: 1,
      doneUs: 2,
      durationMs: 4.5,
      consumer: 'w1',
      payload: { mean: 12.5 },
    };
    assert.deepEqual(decodeResultEntry('9-0', encodeResultFields(result)), result);
  });
});

describe('payloadJson: a result as the results stream stores it', () => {
  it('is the JSON of the result, null for none', () => {
    assert.equal(payloadJson({ a: 1 }), '{"a":1}');
    assert.equal(payloadJson(undefined), 'null');
  });

  it('refuses what JSON cannot hold with a ResultUnstorableError saying so', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ n: 1n }, cyclic, () => 1]) {
      assert.throws(
        () => payloadJson(bad),
        (err: unknown) =>
          err instanceof ResultUnstorableError && /cannot be stored as JSON/.test(err.message),
      );
    }
  });
});
