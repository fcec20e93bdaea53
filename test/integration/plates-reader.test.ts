import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PoisonFrameError, ProcessorError } from '../../src/shared/errors.js';
import type { PlateReader } from '../../src/plates/plate-reader.js';
import { createPlateReader } from '../../src/plates/plate-reader.js';
import { readPlateFrame } from '../../src/plates/plate-processor.js';
import plateProcessor from '../../src/plates/plate-processor.js';
import { plateSceneFrame } from '../helpers/plate-scenes.js';
import sharp from 'sharp';

// Measured on this seeded set: see docs/plates.md (easy 100%, medium ~99%). The floor is far below,
// so the test is stable, yet a broken detector, recogniser or decoder reads next to nothing.
const SCENES = 12;
const FLOOR = 0.7;

let reader: PlateReader;
before(async () => {
  reader = await createPlateReader();
});
after(async () => {
  await reader.close();
});

test('the reader reads most plates of a small seeded synthetic set', async () => {
  let exact = 0;
  for (let i = 0; i < SCENES; i++) {
    const difficulty = i % 3 === 2 ? 'medium' : 'easy';
    const { scene, frame } = await plateSceneFrame('it', i, difficulty);
    const result = await readPlateFrame(frame, reader);
    assert.equal(result.truth, scene.truth.plate);
    if (result.correct === true) {
      exact++;
      assert.ok(result.bbox, 'a read plate has a box');
    }
  }
  assert.ok(exact / SCENES >= FLOOR, `read ${exact}/${SCENES}`);
});

test('a frame without a plate gives an empty result, not an error', async () => {
  const blank = await sharp({
    create: { width: 320, height: 240, channels: 3, background: '#7a8088' },
  })
    .jpeg()
    .toBuffer();
  const frame = {
    id: '1',
    source: 'test',
    seq: 1,
    captureUs: 0,
    width: 320,
    height: 240,
    data: blank,
  };
  const result = await plateProcessor.process(frame);
  assert.equal(result.plate, null);
  assert.deepEqual(result.candidates, []);
  assert.equal(result.correct, undefined);
});

test('an unsure frame gets a second look, unless it is turned off', async () => {
  const blank = await sharp({
    create: { width: 320, height: 240, channels: 3, background: '#6d7580' },
  })
    .jpeg()
    .toBuffer();
  const before = reader.secondLooks;
  assert.deepEqual(await reader.read(blank), []);
  assert.equal(reader.secondLooks, before + 1);
  const once = await createPlateReader({ secondLook: false });
  try {
    assert.deepEqual(await once.read(blank), []);
    assert.equal(once.secondLooks, 0);
  } finally {
    await once.close();
  }
});

test('missing model files fail at creation with a ProcessorError naming them', async () => {
  const modelFiles = {
    detectionPath: '/nonexistent/det.onnx',
    recognitionPath: '/nonexistent/rec.onnx',
    dictionaryPath: '/nonexistent/keys.txt',
  };
  await assert.rejects(createPlateReader({ modelFiles }), (err: unknown) => {
    assert.ok(err instanceof ProcessorError);
    assert.equal(err.code, 'FRAMEPIPE_ERR_PROCESSOR');
    assert.match(err.message, /det\.onnx/);
    return true;
  });
});

test('an undecodable image is a poison frame, and a closed reader refuses work', async () => {
  const own = await createPlateReader();
  await assert.rejects(own.read(Buffer.from('not an image')), PoisonFrameError);
  await own.close();
  await own.close();
  await assert.rejects(own.read(Buffer.alloc(10)), ProcessorError);
});
