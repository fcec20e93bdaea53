// US plate layouts and the things around US plates (state names, slogans, dealer frames, stickers),
// with synthetic recogniser output: per character a distribution over the 36 plate characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadChar } from '../../../src/plates/format/interpret-line.js';
import { interpretLine } from '../../../src/plates/format/interpret-line.js';
import type { RecognisedLine } from '../../../src/plates/format/choose-plate.js';
import { choosePlates, isNotPlateText } from '../../../src/plates/format/choose-plate.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A recognised line: '_' marks a gap before the next character; `[T7]` is a character the recogniser
 * hesitated on (T at 0.6, 7 at 0.35). Every character's distribution spreads the rest thinly.
 */
function read(spec: string, prob = 0.95): ReadChar[] {
  const out: ReadChar[] = [];
  let gap = false;
  for (const m of spec.matchAll(/_|\[(\w)(\w)\]|(\w)/g)) {
    if (m[0] === '_') {
      gap = true;
      continue;
    }
    const [first, second] = m[3] !== undefined ? [m[3], undefined] : [m[1] ?? '', m[2]];
    const p = second === undefined ? prob : 0.6;
    const dist = new Float32Array(36).fill((1 - p - (second ? 0.35 : 0)) / 35);
    dist[ALPHABET.indexOf(first)] = p;
    if (second) {
      dist[ALPHABET.indexOf(second)] = 0.35;
    }
    out.push({ char: first, prob: p, dist, gapBefore: gap && out.length > 0 });
    gap = false;
  }
  return out;
}

const best = (spec: string): { text: string; layout: string | null; confidence: number } => {
  const r = interpretLine(read(spec))[0];
  assert.ok(r, `no reading for ${spec}`);
  return r;
};

function line(spec: string, y: number, h: number, prob = 0.95): RecognisedLine {
  const chars = read(spec, prob);
  return { bbox: { x: 100, y, w: Math.round(h * chars.length * 0.6), h }, chars };
}

test('common US layouts are read as they are, each with its layout', () => {
  const cases: [string, string, string][] = [
    ['ABC_1234', 'ABC1234', 'LLL DDDD'],
    ['7ABC123', '7ABC123', 'D LLL DDD'],
    ['ABC_123', 'ABC123', 'LLL DDD'],
    ['123_ABC', '123ABC', 'DDD LLL'],
    ['AB_12345', 'AB12345', 'LL DDDDD'],
    ['1AB_234', '1AB234', 'D LL DDD'],
    ['1AB_2345', '1AB2345', 'DLL DDDD'],
  ];
  for (const [spec, text, layout] of cases) {
    const r = best(spec);
    assert.equal(r.text, text, spec);
    assert.equal(r.layout, layout, spec);
  }
});

test('a hesitant character is resolved by the layout: T/7 first in a California plate, O/0 and B/8', () => {
  assert.equal(best('[T7]ABC123').text, '7ABC123');
  assert.equal(best('ABC_1[O0]34').text, 'ABC1034');
  assert.equal(best('[8B]KR_1234').text, 'BKR1234');
});

/** One character read as `first` at p with `second` at q. */
function hesitant(first: string, p: number, second: string, q: number): ReadChar {
  const dist = new Float32Array(36).fill((1 - p - q) / 34);
  dist[ALPHABET.indexOf(first)] = p;
  dist[ALPHABET.indexOf(second)] = q;
  return { char: first, prob: p, dist };
}

test('a first letter read as its look-alike digit is still corrected: ABC 1234 is far more common than 1AB 2345', () => {
  const line = [hesitant('8', 0.9, 'B', 0.08), ...read('KR_1234')];
  assert.equal(interpretLine(line)[0]?.text, 'BKR1234');
  const sure = [hesitant('1', 0.97, 'I', 0.01), ...read('KR_1234')];
  assert.equal(interpretLine(sure)[0]?.text, '1KR1234');
});

test('a first digit read as its look-alike letter is corrected in 123 ABC', () => {
  const line = [hesitant('I', 0.9, '1', 0.08), ...read('23_ABC')];
  assert.equal(interpretLine(line)[0]?.text, '123ABC');
});

test('a letter in the second place of a digit-letter-digit plate stays a letter (1T4 3213, not 1143213)', () => {
  assert.equal(best('1T4_3213').text, '1T43213');
  assert.equal(best('1B8_0338').text, '1B80338');
});

test('vanity plates (no layout) are read as they are, at the confidence the recogniser gave', () => {
  for (const text of ['LUV2SKI', 'H8TRAFC', 'SK8R4U', 'B4ULEAV']) {
    const r = best(text);
    assert.equal(r.text, text);
    assert.equal(r.layout, null);
    assert.ok(r.confidence > 0.9, `${text}: ${r.confidence}`);
  }
});

test('state names, slogans and frame words are not plates, also clipped or with look-alike digits', () => {
  for (const t of [
    'FLORIDA',
    'OKLAHOMA',
    'WYOMING',
    'CAROLINA',
    'DAKOTA',
    'SUNSHINE',
    'LINCOLN',
    'L1NCOLN',
    'LORIDA',
    'MYFLORIDACOM',
    'LANDOFLINCOLN',
    'TOYOTA',
    'DEALER',
  ]) {
    assert.ok(isNotPlateText(t), t);
  }
  for (const t of ['ABC1234', '7ABC123', 'GRANDMA', 'LUV2SKI', 'AB12CDE', 'RK755AJ']) {
    assert.ok(!isNotPlateText(t), t);
  }
});

test('a slogan line as large as the plate is never the plate, even when the plate reads poorly', () => {
  const reads = choosePlates([
    line('SUNSHINE_STATE', 20, 30),
    line('WYOMING', 60, 30),
    line('ABC_1234', 100, 30, 0.7),
    line('LAND_OF_LINCOLN', 140, 30),
  ]);
  assert.equal(reads[0]?.text, 'ABC1234');
  assert.deepEqual(
    reads.map((r) => r.text),
    ['ABC1234'],
  );
});

test('a state name alone in the frame gives no plate', () => {
  assert.deepEqual(choosePlates([line('CAROLINA', 0, 30)]), []);
  assert.deepEqual(choosePlates([line('LORIDA', 0, 30)]), []);
});

test('larger characters win: a vanity plate beats smaller stickers and frame text that fit a layout', () => {
  const reads = choosePlates([
    { ...line('LUV2SKI', 0, 40), bbox: { x: 100, y: 100, w: 170, h: 40 } },
    { ...line('ABC123', 0, 20), bbox: { x: 300, y: 90, w: 70, h: 20 } },
    { ...line('555_1234', 0, 16), bbox: { x: 100, y: 160, w: 80, h: 16 } },
  ]);
  assert.equal(reads[0]?.text, 'LUV2SKI');
  assert.equal(reads[0]?.layout, null);
  assert.ok((reads[0]?.confidence ?? 0) > 0.9);
});

test('a word on the boot lid as large as a vanity plate loses to it: plates mix letters and digits', () => {
  const reads = choosePlates([
    { ...line('PRIUS', 0, 30), bbox: { x: 300, y: 40, w: 90, h: 30 } },
    { ...line('LUV2SKI', 0, 30, 0.9), bbox: { x: 100, y: 100, w: 126, h: 30 } },
  ]);
  assert.equal(reads[0]?.text, 'LUV2SKI');
});

test('a small dealer phone number that fits a layout loses to the plate', () => {
  const reads = choosePlates([
    { ...line('555_1234', 0, 14), bbox: { x: 100, y: 170, w: 70, h: 14 } },
    { ...line('1AB_234', 0, 36), bbox: { x: 100, y: 100, w: 160, h: 36 } },
  ]);
  assert.equal(reads[0]?.text, '1AB234');
});

test('a weak stacked or emblem character between the groups is dropped', () => {
  const chars = [
    ...read('ABC'),
    ...read('[XK]').map((c) => ({ ...c, prob: 0.4 })),
    ...read('1234'),
  ];
  assert.equal(interpretLine(chars)[0]?.text, 'ABC1234');
});

test('a clean plate of a layout not listed keeps its confident last character', () => {
  // LLLL DDDD is listed nowhere; BCD 1234 (LLL DDDD, the likeliest layout) is one trim away.
  assert.equal(interpretLine(read('ABCD_1234', 0.99))[0]?.text, 'ABCD1234');
  assert.equal(interpretLine(read('ZH_123456', 0.99))[0]?.text, 'ZH123456', 'CH');
  assert.equal(best('ABC_12D').text, 'ABC12D', 'SE');
});

test('plates that read as a state name once digits are taken for letters are kept', () => {
  const at = (spec: string) => choosePlates([line(spec, 100, 40, 0.99)])[0]?.text;
  assert.equal(at('AL_485_MA'), 'AL485MA', 'IT, one letter from ALABAMA as ALABSMA');
  assert.equal(at('GE_066_IA'), 'GE066IA', 'IT, near GEORGIA');
  assert.equal(
    at('ON74_RIO'),
    'ON74RIO',
    'UK, ONTARIO with digits as letters: not the ON74 fragment',
  );
  assert.equal(at('L1NCOLN'), undefined, 'a word with a digit misread is still a word');
});
