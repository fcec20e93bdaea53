import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwright, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumInstalled = existsSync(CHROMIUM);

/**
 * The machine has no internet: without these Chromium keeps trying (and stalling on) refused
 * connections for component updates, sync, QUIC and first-run pings.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessChromium {
  readonly pid: number;
  readonly browser: Browser;
  /** Disconnects, SIGTERMs Chromium by PID, then SIGKILLs what is left of its process group. */
  stop(): Promise<void>;
}

/**
 * Starts Chromium itself (its own process group, a fresh user-data-dir) and drives it through
 * playwright-core over CDP, so the test owns the PID and no browser is ever downloaded.
 */
export async function startChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'framepipe-chromium-'));
  const child = spawn(
    CHROMIUM,
    [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${CHROMIUM}`);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** `target` is the browser's PID, or minus it for its whole process group. */
  const signal = (target: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(target, sig);
    } catch {
      // already gone
    }
  };
  // If the test process dies first, Chromium must not outlive it.
  const onExit = (): void => signal(-pid, 'SIGKILL');
  process.once('exit', onExit);
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // The browser alone first: it shuts down and reaps its renderers and zygote itself.
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => signal(-pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    signal(-pid, 'SIGKILL'); // stragglers of the group, if any
    process.removeListener('exit', onExit);
    await rm(profile, { recursive: true, force: true });
  };

  let stderr = '';
  let browser: Browser;
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Chromium printed no DevTools endpoint in 20 s:\n${stderr}`)),
        20_000,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code ?? sig}) before it listened:\n${stderr}`));
      });
    });
    browser = await playwright.connectOverCDP(endpoint, { timeout: 20_000 });
  } catch (err) {
    await kill();
    throw err;
  }
  return {
    pid,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await kill();
    },
  };
}
