import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { renderPlateScene } from '../../../src/plates/synthetic/render-plate-scene.js';
import { randomPlateText } from '../../../src/plates/synthetic/plate-text.js';
import { createRandom, hashSeed } from '../../../src/plates/synthetic/seeded-random.js';

const opts = { seed: 42, width: 480, height: 360, difficulty: 'medium' as const };

test('the same seed and index render the same JPEG and truth', async () => {
  const a = await renderPlateScene({ ...opts, index: 3 });
  const b = await renderPlateScene({ ...opts, index: 3 });
  assert.deepEqual(a.truth, b.truth);
  assert.ok(a.jpeg.equals(b.jpeg));
});

test('another index or seed gives another scene', async () => {
  const a = await renderPlateScene({ ...opts, index: 3 });
  const b = await renderPlateScene({ ...opts, index: 4 });
  const c = await renderPlateScene({ ...opts, seed: 43, index: 3 });
  assert.notEqual(a.truth.plate + a.jpeg.length, b.truth.plate + b.jpeg.length);
  assert.notEqual(a.truth.plate + a.jpeg.length, c.truth.plate + c.jpeg.length);
});

test('the scene is a JPEG of the asked size with the plate box inside it', async () => {
  for (const difficulty of ['easy', 'medium', 'hard'] as const) {
    const scene = await renderPlateScene({ ...opts, difficulty, index: 1 });
    const meta = await sharp(scene.jpeg).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.deepEqual([meta.width, meta.height], [480, 360]);
    const { x, y, w, h } = scene.truth.bbox;
    assert.ok(x >= 0 && y >= 0 && w > 10 && h > 5 && x + w <= 480 && y + h <= 360);
    assert.match(scene.truth.plate, /^[A-Z0-9]{7}$/);
  }
});

test('plate texts cover every layout and never use I, O or Q', () => {
  const rnd = createRandom(hashSeed('layouts', 0));
  const texts = Array.from({ length: 300 }, () => randomPlateText(rnd));
  assert.equal(new Set(texts.map((t) => t.layout)).size, 5);
  assert.ok(texts.every((t) => !/[IOQ]/.test(t.plate)));
});
