import type { ChildProcess } from 'node:child_process';
import { killHard, spawnFixture } from './spawn-fixture.js';

/**
 * A fixture process that does work on request: the load side of a scenario (producers, BullMQ
 * adds) runs there, so the process being measured does not share its event loop with it, as
 * cameras and workers do not in production.
 */
export interface Driver {
  /** Sends a request; resolves with the fixture's `{ type: 'done' }` reply. */
  run<T extends object>(request: object): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  readonly type?: unknown;
  readonly message?: unknown;
}

export async function startDriver(name: string, args: unknown): Promise<Driver> {
  const child: ChildProcess = await spawnFixture(name, args);
  return {
    run<T extends object>(request: object): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`${name} exited with ${code}`));
        const onMessage = (m: Reply) => {
          if (m.type !== 'done' && m.type !== 'error') {
            return;
          }
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (m.type === 'error') {
            reject(new Error(`${name}: ${String(m.message)}`));
          } else {
            resolve(m as T);
          }
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(request);
      });
    },
    // Asks for a clean exit first (a V8 profile is written only then), SIGKILL after 5 s.
    async stop() {
      if (child.connected && child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.disconnect();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      await killHard(child);
    },
  };
}

/** Fixture side: answers each request with `{ type: 'done', ...result }` or an error. */
export function serveRequests<R extends object>(handle: (request: R) => Promise<object>): void {
  process.on('message', (request: R) => {
    handle(request).then(
      (result) => process.send?.({ type: 'done', ...result }),
      (err: unknown) => process.send?.({ type: 'error', message: String(err) }),
    );
  });
  process.once('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready' });
}
