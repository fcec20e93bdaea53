import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeViewerOptions } from '../../../src/cli/service-commands.js';
import { parseConfig } from '../../../src/shared/config/load-config.js';

describe('bridge --viewer', () => {
  it("listens on the bridge's channel prefix", () => {
    const cfg = parseConfig([{ bridge: { channelPrefix: 'live' } }]);
    assert.equal(bridgeViewerOptions(cfg).channelPrefix, 'live');
  });

  it('keeps a channel prefix the viewer was given, and the default when neither has one', () => {
    const both = parseConfig([
      { bridge: { channelPrefix: 'live' }, viewer: { channelPrefix: 'x' } },
    ]);
    assert.equal(bridgeViewerOptions(both).channelPrefix, 'x');
    assert.equal(bridgeViewerOptions(parseConfig([{}])).channelPrefix, undefined);
  });
});
