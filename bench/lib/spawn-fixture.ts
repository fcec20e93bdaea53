import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../src/shared/node-flags.js';

/**
 * Set by `npm run bench -- --cpu-prof` for a scenario: its fixtures (producers, BullMQ adds)
 * write V8 profiles under `<dir>/<fixture name>` too, on the graceful exit Driver.stop asks for.
 */
export const FIXTURE_PROFILE_DIR_ENV = 'FRAMEPIPE_BENCH_FIXTURE_PROFILE_DIR';

function profileFlags(name: string): string[] {
  const dir = process.env[FIXTURE_PROFILE_DIR_ENV];
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}/${name}`];
}

/** Forks `bench/fixtures/<name>.ts` under tsx and waits for its `{ type: 'ready' }` message. */
export async function spawnFixture(
  name: string,
  args: unknown,
  timeoutMs = 20_000,
): Promise<ChildProcess> {
  const file = fileURLToPath(new URL(`../fixtures/${name}.ts`, import.meta.url));
  const child = fork(file, [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx', ...NODE_FLAGS, ...profileFlags(name)],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fixture ${name} not ready in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fixture ${name} exited with ${code}`));
    });
    child.on('message', (m: unknown) => {
      if ((m as { type?: unknown }).type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

/** SIGKILLs a child and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
