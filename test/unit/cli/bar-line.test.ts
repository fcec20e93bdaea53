import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBarLine } from '../../../src/cli/bar-line.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

describe('progress bar line', () => {
  it('off a terminal, every update is a whole line, so a message never follows a bar on its line', () => {
    const out = fakeStream(false);
    const bar = createBarLine(out, { now: () => 0 });
    bar.update(1, 3);
    bar.note('skipped b.jpg: file not found');
    bar.update(3, 3);
    bar.end();
    assert.ok(!out.text().includes('\r'));
    assert.deepEqual(out.text().split('\n'), [
      '[##########....................] 1/3',
      'skipped b.jpg: file not found',
      '[##############################] 3/3',
      '',
    ]);
  });

  it('off a terminal, updates are throttled but the last one is always shown', () => {
    let t = 0;
    const out = fakeStream(false);
    const bar = createBarLine(out, { now: () => t, plainEveryMs: 1000 });
    bar.update(1, 4);
    t = 10;
    bar.update(2, 4);
    bar.update(4, 4);
    assert.equal(out.chunks.length, 2);
    assert.match(out.chunks[1] ?? '', /4\/4\n$/);
  });

  it('on a terminal, the bar is redrawn in place, cleared for a message and ended with a newline', () => {
    const out = fakeStream(true);
    const bar = createBarLine(out, { now: () => 0 });
    bar.update(1, 2);
    bar.note('skipped a.jpg');
    bar.update(2, 2);
    bar.end();
    bar.end();
    assert.equal(
      out.text(),
      '\r\x1b[2K[###############...............] 1/2\r\x1b[2Kskipped a.jpg\n' +
        '\r\x1b[2K[##############################] 2/2\n',
    );
  });

  it('ends nothing when nothing was drawn', () => {
    const out = fakeStream(true);
    createBarLine(out).end();
    assert.equal(out.text(), '');
  });
});
