import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { envLayer, envName, loadConfig } from '../../../src/shared/config/load-config.js';
import {
  configMarkdownTable,
  configReference,
} from '../../../src/shared/config/config-reference.js';
import { ConfigError } from '../../../src/shared/errors.js';

async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'framepipe-config-'));
  const path = join(dir, 'config.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('uses the schema defaults when nothing is given', async () => {
    const config = await loadConfig({ env: {} });
    assert.equal(config.redis.prefix, 'framepipe');
    assert.equal(config.producer.policy, 'block', 'the default never trims unread frames');
    assert.equal(config.worker.group, 'workers');
  });

  it('layers defaults < file < env < flags', async () => {
    const file = await configFile({
      redis: { port: 7001, prefix: 'fromfile' },
      worker: { threads: 3 },
    });
    const config = await loadConfig({
      file,
      env: { FRAMEPIPE_REDIS_PORT: '7002', FRAMEPIPE_WORKER_THREADS: '5' },
      flags: { redis: { port: 7003 } },
    });
    assert.equal(config.redis.port, 7003, 'flag beats env');
    assert.equal(config.worker.threads, 5, 'env beats file');
    assert.equal(config.redis.prefix, 'fromfile', 'file beats default');
    assert.equal(config.redis.host, '127.0.0.1', 'default kept');
  });

  it('reads DATABASE_URL, and FRAMEPIPE_POSTGRES_URL wins over it', () => {
    assert.deepEqual(envLayer({ DATABASE_URL: 'postgres://a/x' }), {
      postgres: { url: 'postgres://a/x' },
    });
    assert.deepEqual(
      envLayer({ DATABASE_URL: 'postgres://a/x', FRAMEPIPE_POSTGRES_URL: 'postgres://b/y' }),
      { postgres: { url: 'postgres://b/y' } },
    );
  });

  it('reads REDIS_URL, and FRAMEPIPE_REDIS_URL wins over it', () => {
    assert.deepEqual(envLayer({ REDIS_URL: 'redis://a:1' }), { redis: { url: 'redis://a:1' } });
    assert.deepEqual(envLayer({ REDIS_URL: 'redis://a:1', FRAMEPIPE_REDIS_URL: 'redis://b:2' }), {
      redis: { url: 'redis://b:2' },
    });
  });

  it("a higher layer naming a Redis option wins over a lower layer's redis.url", async () => {
    const env = { REDIS_URL: 'redis://alice:s3cr%40t@10.0.0.5:6380/3' };
    const port = await loadConfig({ env, flags: { redis: { port: 6499 } } });
    assert.equal(port.redis.url, undefined, 'the url no longer hides the flag');
    assert.deepEqual(
      [port.redis.host, port.redis.port, port.redis.username, port.redis.password, port.redis.db],
      ['10.0.0.5', 6499, 'alice', 's3cr@t', 3],
      'the flag wins; what only the url said is kept',
    );
    const file = await configFile({ redis: { url: 'rediss://10.0.0.5' } });
    const host = await loadConfig({ file, env: { FRAMEPIPE_REDIS_HOST: 'redis.internal' } });
    assert.deepEqual(
      [host.redis.url, host.redis.host, host.redis.port, host.redis.tls],
      [undefined, 'redis.internal', 6379, true],
    );
    const socket = await loadConfig({ env, flags: { redis: { socketPath: '/run/redis.sock' } } });
    assert.equal(socket.redis.socketPath, '/run/redis.sock');
    assert.equal(socket.redis.password, 's3cr@t');
  });

  it('refuses to split a redis.url with options ioredis reads from its query, naming them but no value', async () => {
    const env = { REDIS_URL: 'redis://10.0.0.5:6380?family=6&password=hunter2' };
    await assert.rejects(loadConfig({ env, flags: { redis: { port: 6499 } } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /\(family, password\).*redis\.port/);
      assert.doesNotMatch(JSON.stringify([err.message, err.issues]), /hunter2/);
      return true;
    });
    const kept = await loadConfig({ env });
    assert.equal(
      kept.redis.url,
      env.REDIS_URL,
      'nothing to split: the url goes to ioredis as it is',
    );
  });

  it('keeps redis.url as given when no higher layer overrides it, and it wins in its layer', async () => {
    const config = await loadConfig({
      env: { REDIS_URL: 'redis://10.0.0.5:6380' },
      file: await configFile({ redis: { port: 7001 } }),
    });
    assert.equal(config.redis.url, 'redis://10.0.0.5:6380', 'a lower port does not split it');
    const same = await loadConfig({ flags: { redis: { url: 'redis://b:1', port: 2 } } });
    assert.equal(same.redis.url, 'redis://b:1');
  });

  it('refuses a redis.url whose database is not 0-15 (ioredis stayed on 0 silently)', async () => {
    for (const url of ['redis://:pw@127.0.0.1:6547/99', 'redis://h:1/-1', 'redis://h:1/abc']) {
      await assert.rejects(loadConfig({ flags: { redis: { url } } }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /redis\.url.*database .* 0-15/);
        assert.doesNotMatch(err.message, /:pw@/, 'the password is not quoted');
        return true;
      });
    }
    const ok = await loadConfig({ flags: { redis: { url: 'redis://h:1/15' } } });
    assert.equal(ok.redis.url, 'redis://h:1/15');
  });

  it('never quotes a secret it refuses: a short viewer token, a password, a URL password', async () => {
    const bad = [
      { viewer: { token: 'tok123' } },
      { redis: { password: 12345678 } },
      { postgres: { url: 42 } },
    ];
    for (const flags of bad) {
      await assert.rejects(loadConfig({ flags }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const shown = JSON.stringify([err.message, err.issues]);
        assert.doesNotMatch(shown, /tok123|12345678|42/);
        assert.match(err.message, /\(got "\*\*\*"\)/);
        return true;
      });
    }
  });

  it('refuses redis.socketPath with a redis.url or outside standalone mode, at load time', async () => {
    for (const redis of [
      { socketPath: '/run/redis.sock', url: 'redis://h:1' },
      { socketPath: '/run/redis.sock', mode: 'cluster' },
    ]) {
      await assert.rejects(loadConfig({ flags: { redis } }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.issues[0]?.path, 'redis.socketPath');
        return true;
      });
    }
  });

  it('refuses a time in ms a timer cannot hold (Node would fire it after 1 ms)', async () => {
    await assert.rejects(
      loadConfig({ flags: { worker: { processTimeoutMs: 2 ** 31 } } }),
      /worker\.processTimeoutMs/,
    );
  });

  it('refuses a redis.url that is not redis:// or rediss://', async () => {
    for (const url of ['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis:///x']) {
      await assert.rejects(loadConfig({ flags: { redis: { url } } }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.issues[0]?.path, 'redis.url');
        assert.match(err.message, /redis:\/\/ or rediss:\/\//);
        return true;
      });
    }
  });

  it("puts a command's own defaults under the file, env and flags", async () => {
    const defaults = { producer: { frames: 90, fps: 10 }, log: { level: 'warn' } };
    const config = await loadConfig({
      defaults,
      file: await configFile({ producer: { fps: 4 } }),
      env: { FRAMEPIPE_PRODUCER_FRAMES: '5' },
      flags: { log: { level: 'debug' } },
    });
    assert.deepEqual(
      [config.producer.frames, config.producer.fps, config.log.level],
      [5, 4, 'debug'],
    );
    assert.equal((await loadConfig({ defaults })).producer.frames, 90);
  });

  it('coerces env strings by type: numbers, booleans, lists', () => {
    const layer = envLayer({
      FRAMEPIPE_WORKER_CLAIM_IDLE_MS: '250',
      FRAMEPIPE_PRODUCER_LOOP: 'true',
      FRAMEPIPE_WORKER_SOURCES: 'cam1, cam2',
    });
    assert.deepEqual(layer, {
      worker: { claimIdleMs: 250, sources: ['cam1', 'cam2'] },
      producer: { loop: true },
    });
  });

  it('rejects a bad value with ConfigError naming the field, the value and what is allowed', async () => {
    await assert.rejects(
      loadConfig({ env: { FRAMEPIPE_PRODUCER_POLICY: 'drop-everything' } }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'FRAMEPIPE_ERR_CONFIG');
        const issue = err.issues[0];
        assert.equal(issue?.path, 'producer.policy');
        assert.equal(issue?.value, 'drop-everything');
        assert.match(issue?.message ?? '', /"block", "drop-oldest"/);
        return true;
      },
    );
  });

  it('rejects an unknown option instead of ignoring a typo, and names the one meant', async () => {
    const file = await configFile({ worker: { thread: 4 } });
    await assert.rejects(loadConfig({ file, env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.issues[0]?.path, 'worker.thread');
      assert.match(
        err.message,
        /worker\.thread: unknown option \(did you mean worker\.threads\?\)$/m,
      );
      assert.doesNotMatch(err.message, /got undefined/);
      return true;
    });
  });

  it('rejects a FRAMEPIPE_ variable of a known section that names no option', async () => {
    await assert.rejects(loadConfig({ env: { FRAMEPIPE_WORKER_THREDAS: '4' } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.issues[0]?.path, 'FRAMEPIPE_WORKER_THREDAS');
      assert.match(err.message, /did you mean FRAMEPIPE_WORKER_THREADS\?/);
      return true;
    });
    // Variables of no section are not framepipe's options, nor Kubernetes service links: left alone.
    const config = await loadConfig({
      env: {
        FRAMEPIPE_TEST_MARKER: 'x',
        FRAMEPIPE_HOME: '/x',
        FRAMEPIPE_API_SERVICE_HOST: '10.0.0.7',
        FRAMEPIPE_API_SERVICE_PORT: '8080',
        FRAMEPIPE_API_PORT_8080_TCP_ADDR: '10.0.0.7',
      },
    });
    assert.equal(config.worker.threads, 2);
  });

  it('rejects a config file that is not JSON', async () => {
    const file = await configFile('{ not json');
    await assert.rejects(loadConfig({ file, env: {} }), ConfigError);
  });

  it('returns a frozen config', async () => {
    const config = await loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config.worker));
  });
});

describe('config reference', () => {
  it('derives env names from option paths', () => {
    assert.equal(envName(['worker', 'claimIdleMs']), 'FRAMEPIPE_WORKER_CLAIM_IDLE_MS');
  });

  it('documents every option with a description', () => {
    const rows = configReference();
    assert.ok(rows.length > 40);
    for (const row of rows) {
      assert.notEqual(row.description, '', `${row.path} has no .describe()`);
    }
    assert.match(
      configMarkdownTable(),
      /\| `worker.maxDeliveries` \| `FRAMEPIPE_WORKER_MAX_DELIVERIES` \|/,
    );
  });
});

describe('README', () => {
  it('holds the config table generated from the schema (npm run docs:config)', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configMarkdownTable()),
      'README config table is stale: run npm run docs:config',
    );
  });
});
