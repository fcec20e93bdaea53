import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FrameTooLargeError,
  PoisonFrameError,
  ProcessorError,
  ResultUnstorableError,
} from '../../../src/shared/errors.js';
import { outcomeError } from '../../../src/workers/frame-pool.js';
import {
  failureAction,
  maxDeliveriesReason,
  readCountFor,
  redeliveryAction,
} from '../../../src/workers/delivery-policy.js';

describe('delivery policy: retry or dead-letter', () => {
  it('dead-letters a poison frame at once, keeping its code', () => {
    const action = failureAction(new PoisonFrameError('bad jpeg'));
    assert.deepEqual(action, {
      kind: 'dead-letter',
      code: 'FRAMEPIPE_ERR_POISON_FRAME',
      reason: 'bad jpeg',
    });
  });

  it('dead-letters a too-large frame at once', () => {
    const action = failureAction(new FrameTooLargeError(10, 5));
    assert.equal(action.kind, 'dead-letter');
    assert.equal(action.kind === 'dead-letter' && action.code, 'FRAMEPIPE_ERR_FRAME_TOO_LARGE');
  });

  it('dead-letters a result JSON cannot hold at once: every delivery would fail alike', () => {
    const action = failureAction(new ResultUnstorableError('a bigint'));
    assert.equal(action.kind === 'dead-letter' && action.code, 'FRAMEPIPE_ERR_RESULT_UNSTORABLE');
  });

  it('dead-letters an error that lost its class but kept the poison code', () => {
    const crossed = Object.assign(new Error('from a thread'), {
      code: 'FRAMEPIPE_ERR_POISON_FRAME',
    });
    assert.equal(failureAction(crossed).kind, 'dead-letter');
  });

  it('retries any other error', () => {
    assert.deepEqual(failureAction(new Error('timeout')), { kind: 'retry', reason: 'timeout' });
    assert.deepEqual(failureAction('boom'), { kind: 'retry', reason: 'boom' });
  });

  it('processes up to maxDeliveries deliveries and dead-letters the one after', () => {
    assert.equal(redeliveryAction(1, 3), 'process');
    assert.equal(redeliveryAction(3, 3), 'process');
    assert.equal(redeliveryAction(4, 3), 'dead-letter');
  });

  it('names the last error in the max-deliveries reason, or says none was recorded', () => {
    assert.match(maxDeliveriesReason(4, 'model exploded'), /model exploded/);
    assert.match(maxDeliveriesReason(4, null), /no error recorded/);
  });

  it('quotes the delivery count the dead letter records and the attempts made before it', () => {
    // With maxDeliveries 2, Redis counts the third delivery, the one that dead-letters it.
    assert.match(maxDeliveriesReason(3, 'x'), /^gave up at delivery 3, after 2 attempts; /);
    assert.match(maxDeliveriesReason(2, 'x'), /after 1 attempt;/);
  });

  it('gives the same reason for an error whether the processor ran in-line or on the pool', () => {
    const inline = new Error('model not ready');
    const pool = outcomeError({ ok: false, name: 'Error', message: 'model not ready' });
    assert.equal(failureAction(pool).reason, failureAction(inline).reason);
    assert.equal(failureAction(pool).reason, 'model not ready');
    const typed = outcomeError({ ok: false, name: 'TypeError', message: 'x is undefined' });
    assert.equal(
      failureAction(typed).reason,
      failureAction(new TypeError('x is undefined')).reason,
    );
    const own = 'Plate: cannot load model /m.onnx';
    assert.equal(failureAction(new ProcessorError(own)).reason, own, 'a colon in a message stays');
  });

  it('splits free slots across streams because COUNT applies per stream', () => {
    assert.equal(readCountFor(32, 1, 64), 32);
    assert.equal(readCountFor(32, 4, 64), 8);
    assert.equal(readCountFor(100, 1, 64), 64);
    assert.equal(readCountFor(2, 4, 64), 1);
    assert.equal(readCountFor(0, 1, 64), 0);
  });
});
