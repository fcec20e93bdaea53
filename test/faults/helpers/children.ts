import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, cleanEnv } from '../../helpers/cli.js';

const RUN_WORKER = fileURLToPath(new URL('../fixtures/run-worker.ts', import.meta.url));

/** A child process that prints JSON lines (the worker fixture, or the CLI's pino logs). */
export interface JsonChild {
  readonly proc: ChildProcess;
  readonly name: string;
  readonly lines: Record<string, unknown>[];
  /** Non-JSON output (stderr and stray stdout), for failure messages. */
  text(): string;
  alive(): boolean;
  readonly exited: Promise<number | string>;
}

export function spawnJson(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): JsonChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let text = '';
  let buffered = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const l of parts) {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        text += `${l}\n`;
      }
    }
  });
  proc.stderr?.on('data', (c: Buffer) => (text = (text + c.toString()).slice(-20_000)));
  const exited = once(proc, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    proc,
    name,
    lines,
    text: () => text,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    exited,
  };
}

/** The worker fixture (test/faults/fixtures/run-worker.ts) as consumer `name`. */
export function spawnWorker(
  name: string,
  port: number,
  prefix: string,
  extra: Record<string, string> = {},
): JsonChild {
  return spawnJson(name, [RUN_WORKER], {
    ...cleanEnv(),
    REDIS_PORT: String(port),
    PREFIX: prefix,
    CONSUMER: name,
    ...extra,
  });
}

export function isReady(c: JsonChild): boolean {
  return c.lines.some((l) => l.ready === true);
}

/** SIGTERMs the children still alive and waits for them; SIGKILL after `graceMs`. */
export async function stopAll(children: readonly JsonChild[], graceMs = 20_000): Promise<void> {
  const alive = children.filter((c) => c.alive());
  alive.forEach((c) => c.proc.kill('SIGTERM'));
  const timer = setTimeout(
    () => alive.forEach((c) => c.alive() && c.proc.kill('SIGKILL')),
    graceMs,
  );
  await Promise.all(alive.map((c) => c.exited));
  clearTimeout(timer);
}

/** mulberry32: seeded, so a failing run can be replayed with its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
