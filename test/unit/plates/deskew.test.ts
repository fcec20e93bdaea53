import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deskewCrop, lineSize } from '../../../src/plates/ocr/deskew.js';
import { findTextBoxes } from '../../../src/plates/ocr/db-postprocess.js';

test('the length and thickness of a sloped line are recovered from its axis-aligned box', () => {
  const a = (10 * Math.PI) / 180;
  const w = 100 * Math.cos(a) + 20 * Math.sin(a);
  const h = 100 * Math.sin(a) + 20 * Math.cos(a);
  const size = lineSize(w, h, -10);
  assert.ok(size);
  assert.ok(Math.abs(size.length - 100) < 1e-6 && Math.abs(size.thickness - 20) < 1e-6);
  assert.equal(lineSize(10, 100, 20), null);
});

test('the detector post-processing measures the slope of a text region', () => {
  const width = 120;
  const height = 80;
  const prob = new Float32Array(width * height);
  const slope = Math.tan((12 * Math.PI) / 180);
  for (let x = 10; x < 110; x++) {
    const yc = 40 + (x - 60) * slope;
    for (let y = Math.round(yc - 4); y <= Math.round(yc + 4); y++) {
      prob[y * width + x] = 0.9;
    }
  }
  const [box] = findTextBoxes(prob, width, height);
  assert.ok(box);
  assert.ok(Math.abs(box.angleDeg - 12) < 1.5, `angle ${box.angleDeg}`);
});

test('a level or near-level line is not deskewed', async () => {
  const img = { data: new Uint8Array(300 * 200 * 3), width: 300, height: 200 };
  assert.equal(await deskewCrop(img, { x: 50, y: 40, w: 100, h: 20 }, 1, 0.1, 0.1), null);
  const turned = await deskewCrop(img, { x: 110, y: 85, w: 80, h: 30 }, 8, 0.1, 0.1);
  assert.ok(turned && turned.width > turned.height);
});
