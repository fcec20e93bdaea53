import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/shared/logger.js';
import { sourcesKey } from '../../src/shared/redis/keys.js';
import { SourceRegistry, unregisteredSources } from '../../src/workers/source-registry.js';
import { useRedisServer } from '../helpers/redis-server.js';

function logLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('SourceRegistry tells a worker that waits for nothing, or for a typo', () => {
  const server = useRedisServer();

  it('unregisteredSources: the configured ids no producer registered', () => {
    assert.deepEqual(unregisteredSources(['cam1', 'cma2'], ['cam1', 'cam2']), ['cma2']);
    assert.deepEqual(unregisteredSources([], ['cam1']), []);
  });

  for (const [what, configured, registered, message] of [
    ['a configured source no producer registered', ['cam1', 'cma2'], ['cam1', 'cam2'], /a typo\?/],
    ['no sources at all', [], [], /no sources yet/],
  ] as const) {
    it(`warns once at start for ${what}, and still consumes what it was given`, async () => {
      const prefix = `test-${randomUUID()}`;
      if (registered.length > 0) {
        await server.redis.sadd(sourcesKey(prefix), ...registered);
      }
      const out = logLines();
      const registry = new SourceRegistry({
        redis: server.redis,
        prefix,
        group: 'workers',
        configured,
        logger: createLogger({ level: 'info', pretty: false }, { destination: out.stream }),
      });
      await registry.refresh();
      await registry.refresh();
      const warnings = out.lines().filter((l) => l.level === 40);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(String(warnings[0]!.msg), message);
      if (configured.length > 0) {
        assert.deepEqual(warnings[0]!.sources, ['cma2']);
        assert.deepEqual(warnings[0]!.registered, ['cam1', 'cam2']);
      }
      assert.deepEqual(
        registry.list().map((s) => s.source),
        configured,
      );
    });
  }

  it('says nothing when every configured source is registered', async () => {
    const prefix = `test-${randomUUID()}`;
    await server.redis.sadd(sourcesKey(prefix), 'cam1');
    const out = logLines();
    const registry = new SourceRegistry({
      redis: server.redis,
      prefix,
      group: 'workers',
      configured: ['cam1'],
      logger: createLogger({ level: 'info', pretty: false }, { destination: out.stream }),
    });
    await registry.refresh();
    assert.deepEqual(
      out.lines().filter((l) => l.level === 40),
      [],
    );
  });
});
