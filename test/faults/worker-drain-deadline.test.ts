import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { isReady, spawnWorker } from './helpers/children.js';

describe('worker drain deadline', () => {
  it('a worker told to stop while Redis is frozen exits at shutdownTimeoutMs, not when Redis wakes', async () => {
    const server = await startRedisServer();
    const worker = spawnWorker('w-frozen', server.port, `test-${randomUUID()}`, {
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    try {
      await waitFor('worker ready', () => isReady(worker), { timeoutMs: 30_000 });
      process.kill(server.pid(), 'SIGSTOP'); // its blocking read and any settle never answer now
      worker.proc.kill('SIGTERM');
      // The deadline plus closing the connections (2 s each at most); before the fix it waited
      // for Redis to come back, here never.
      const outcome = await Promise.race([
        worker.exited.then(() => 'exited'),
        new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]);
      assert.equal(outcome, 'exited', worker.text());
    } finally {
      process.kill(server.pid(), 'SIGCONT');
      if (worker.alive()) {
        worker.proc.kill('SIGKILL');
      }
      await server.stop();
    }
  });
});
