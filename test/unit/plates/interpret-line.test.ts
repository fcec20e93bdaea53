import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadChar } from '../../../src/plates/format/interpret-line.js';
import { interpretLine } from '../../../src/plates/format/interpret-line.js';

/** Characters as a recogniser would give them without distributions; '_' marks a gap before the next one. */
function chars(text: string, prob = 0.95): ReadChar[] {
  const out: ReadChar[] = [];
  let gap = false;
  for (const c of text) {
    if (c === '_') {
      gap = true;
      continue;
    }
    out.push({ char: c, prob, gapBefore: gap });
    gap = false;
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const best = (text: string): string | undefined => interpretLine(chars(text))[0]?.text;

test('a reading that already fits a layout is kept as read', () => {
  assert.equal(best('ABC_1234'), 'ABC1234');
  assert.equal(best('RK_755AJ'), 'RK755AJ');
});

test('a zero where the Brazilian layout needs a letter becomes O when the recogniser saw some O', () => {
  const dist = new Float32Array(36);
  dist[ALPHABET.indexOf('0')] = 0.85;
  dist[ALPHABET.indexOf('O')] = 0.1;
  const line = chars('AY0_9034').map((rc, i) => (i === 2 ? { ...rc, prob: 0.85, dist } : rc));
  assert.equal(interpretLine(line)[0]?.text, 'AYO9034');
});

test('letters read where digits belong are corrected by position (O/0, I/1, B/8, S/5, Z/2, G/6)', () => {
  assert.equal(best('ABC_1O34'), 'ABC1034');
  assert.equal(best('ABC_I234'), 'ABC1234');
  assert.equal(best('ABC_B234'), 'ABC8234');
  assert.equal(best('ABC_12S4'), 'ABC1254');
  assert.equal(best('ABC_Z234'), 'ABC2234');
  assert.equal(best('ABC_G234'), 'ABC6234');
});

test('digits read where letters belong become the look-alike letter, O before D for a zero', () => {
  assert.equal(best('S1_819AK'), 'SI819AK');
  assert.equal(best('RK_896A0'), 'RK896AO');
  assert.equal(best('8A_302SZ'), 'BA302SZ');
});

test('the Mercosur layout keeps its letter in the fifth place', () => {
  assert.equal(best('BRA2E19'), 'BRA2E19');
  assert.equal(best('BRA2319'), 'BRA2319'); // fits LLL DDDD as read: no reason to change
  assert.equal(best('ABC1O34'), 'ABC1034'); // Brazil's fifth letter is A-J, so O there is a zero
  assert.equal(best('EUB2D55'), 'EUB2D55');
});

test('a plate that fits no layout (vanity) is read as is', () => {
  assert.equal(best('GWAGEN'), 'GWAGEN');
  assert.equal(best('M5XSX'), 'M5XSX');
});

test('a weak stray character at an end (country band, frame edge) is trimmed', () => {
  const line = [{ char: 'D', prob: 0.3, gapBefore: false }, ...chars('_ABC_1234')];
  assert.equal(interpretLine(line)[0]?.text, 'ABC1234');
});

test('a group break in the reading favours the layout with a break there', () => {
  // 'AB12CDE' fits LL DD LLL; the gap after 4 characters must not push it elsewhere.
  assert.equal(best('AB12_CDE'), 'AB12CDE');
});

test('texts too short or too long for a plate give no reading', () => {
  assert.deepEqual(interpretLine(chars('AB1')), []);
  assert.equal(interpretLine(chars('ABCDEFGHIJKLM')).length, 0);
});

test("the recogniser's own distribution decides between look-alikes when it has one", () => {
  const dist = new Float32Array(36);
  dist['ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.indexOf('D')] = 0.4;
  dist['ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.indexOf('0')] = 0.55;
  const line = [...chars('RK_896A'), { char: '0', prob: 0.55, dist, gapBefore: false }];
  assert.equal(interpretLine(line)[0]?.text, 'RK896AD');
});

test('a weak character between the groups (an emblem, a bolt) is dropped when the rest fits a layout', () => {
  const line = [...chars('ABC'), { char: '8', prob: 0.45 }, ...chars('1234')];
  assert.equal(interpretLine(line)[0]?.text, 'ABC1234');
  const sure = [...chars('ABC'), { char: '8', prob: 0.95 }, ...chars('1234')];
  assert.equal(interpretLine(sure)[0]?.text, 'ABC81234');
});
