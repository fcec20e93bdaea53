import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/shared/errors.js';
import {
  csvCells,
  groupByFile,
  normalisePlate,
  parseTruthCsv,
} from '../../../src/plates/eval/truth-csv.js';

test('rows with a header, boxes, quotes and blank lines parse, plates normalised', () => {
  const rows = parseTruthCsv(
    'file,plate,x,y,w,h\r\na.jpg,ab-12 cde,1,2,3,4\n\n"b.jpg","7XYZ123"\n',
  );
  assert.deepEqual(rows, [
    { file: 'a.jpg', plate: 'AB12CDE', bbox: { x: 1, y: 2, w: 3, h: 4 } },
    { file: 'b.jpg', plate: '7XYZ123' },
  ]);
});

test('a quoted file name may hold commas and quotes (as spreadsheets write it)', () => {
  const rows = parseTruthCsv('"car, front.jpg",AB12CDE,1,2,3,4\n"say ""hi"".jpg", XY 99\n');
  assert.deepEqual(rows, [
    { file: 'car, front.jpg', plate: 'AB12CDE', bbox: { x: 1, y: 2, w: 3, h: 4 } },
    { file: 'say "hi".jpg', plate: 'XY99' },
  ]);
  assert.deepEqual(csvCells(' a , "b,c" ,d, " e "'), ['a', 'b,c', 'd', ' e ']);
});

test('several rows of one file give several acceptable plates', () => {
  const byFile = groupByFile(parseTruthCsv('a.jpg,ABC1234\nb.jpg,X1\na.jpg,DEF5678'));
  assert.deepEqual(
    [...byFile.entries()],
    [
      ['a.jpg', ['ABC1234', 'DEF5678']],
      ['b.jpg', ['X1']],
    ],
  );
});

test('a row without a plate is a ConfigError naming the line', () => {
  assert.throws(
    () => parseTruthCsv('file,plate\na.jpg,ABC\nb.jpg,\n'),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.code === 'FRAMEPIPE_ERR_CONFIG' &&
      err.issues[0]?.path === 'truth:3',
  );
});

test('normalisePlate keeps letters and digits only', () => {
  assert.equal(normalisePlate(' ab·12-cd '), 'AB12CD');
});
