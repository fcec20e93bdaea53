import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigSchema } from '../../src/shared/config/schema.js';
import { closeRedis, createRedis } from '../../src/shared/redis/create-redis.js';
import { sourceKeys } from '../../src/shared/redis/keys.js';
import { publishBatch } from '../../src/shared/redis/publish-batch.js';
import { produceAndProcess } from '../helpers/produce-and-process.js';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

const USER = 'framepipe';
const PASSWORD = 's3cret-pw';

/** A self-signed certificate for 127.0.0.1, made with openssl (Debian's openssl package). */
function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
    ...['-nodes', '-keyout', key, '-out', cert, '-days', '1'],
    ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  return { cert, key };
}

describe('Redis over TLS with an ACL user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepipe-tls-'));
  const { cert, key } = selfSignedCert(dir);
  let server: RedisServer;
  let tlsPort = 0;

  before(async () => {
    tlsPort = await freePort();
    // The plain port stays open for the helper's readiness PING and the assertions' client
    // (the default user); framepipe connects only through the TLS port, as its ACL user.
    server = await startRedisServer([
      ...['--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key],
      ...['--tls-auth-clients', 'no'],
      ...['--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'],
    ]);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsConfig = (extra: Record<string, unknown> = {}) =>
    ConfigSchema.parse({
      redis: {
        port: tlsPort,
        tls: true,
        tlsCaFile: cert,
        username: USER,
        password: PASSWORD,
        prefix: `test-${randomUUID()}`,
        ...extra,
      },
      producer: { width: 64, height: 48, fps: 1000, frames: 40 },
      worker: { sources: ['cam1'], processor: 'stats', blockMs: 50, consumer: 'w1' },
    });

  it('producer and worker move every frame through TLS as the ACL user', async () => {
    const config = tlsConfig();
    const plain = server.client();
    const run = await produceAndProcess(config, plain, async (producerRedis) => {
      assert.equal(await producerRedis.call('ACL', 'WHOAMI'), USER);
    });
    assert.deepEqual(run, { produced: 40, processed: 40 });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    assert.equal(await plain.hget(keys.stats, 'processed'), '40');
  });

  it('a rediss:// URL carries user and password; binary frames arrive byte for byte', async () => {
    const config = tlsConfig({
      url: `rediss://${USER}:${PASSWORD}@127.0.0.1:${tlsPort}`,
      username: undefined,
      password: undefined,
    });
    const keys = sourceKeys(config.redis.prefix, 'cam1');
    const redis = createRedis(config.redis, { name: 'producer' });
    const frames = [43_277, 1, 300_000].map((n) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + n) % 256)),
    );
    const reply = await publishBatch(redis, {
      framesKey: keys.frames,
      statsKey: keys.stats,
      policy: 'block',
      entries: frames.map((data, i) => ({ id: `${i + 1}-0`, fields: ['data', data] })),
    });
    await closeRedis(redis);
    assert.deepEqual(reply.outcomes, ['added', 'added', 'added']);
    const stored = await server.client().xrangeBuffer(keys.frames, '-', '+');
    assert.deepEqual(
      stored.map(([, fields]) => fields[1]),
      frames,
    );
  });

  it('checks the certificate by default: without the CA the connection is refused', async () => {
    const config = tlsConfig({ tlsCaFile: undefined });
    const errors: Error[] = [];
    const redis = createRedis(config.redis, { name: 'x', onError: (e) => errors.push(e) });
    try {
      await waitFor('a certificate error', () => errors.length > 0);
    } finally {
      await closeRedis(redis);
    }
    assert.match(String(errors[0]?.message), /self[- ]signed|certificate/i);
  });
});
