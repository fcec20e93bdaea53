import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { unknownHelpTopic } from '../../../src/cli/help-topic.js';

describe('unknownHelpTopic', () => {
  const program = new Command('framepipe');
  program.command('work');
  program.command('dlq').command('list');

  it('names a help topic that is no command, at the top or under a command', () => {
    assert.equal(unknownHelpTopic(program, ['help', 'nosuch']), 'nosuch');
    assert.equal(unknownHelpTopic(program, ['dlq', 'help', 'nosuch']), 'nosuch');
  });

  it('leaves real topics, plain help and other commands alone', () => {
    for (const args of [['help', 'work'], ['help'], ['dlq', 'help', 'list'], ['work', '--x']]) {
      assert.equal(unknownHelpTopic(program, args), undefined, args.join(' '));
    }
  });
});
