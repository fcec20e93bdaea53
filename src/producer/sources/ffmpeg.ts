import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { SourceError } from '../../shared/errors.js';
import { JpegSplitter } from './jpeg-splitter.js';

export interface FfmpegArgsOptions {
  readonly input: string;
  readonly width: number;
  readonly height: number;
  /** JPEG quality 1-100, mapped to MJPEG -q:v. */
  readonly quality: number;
  /** Input options placed before -i (e.g. ['-f', 'v4l2']). */
  readonly inputOptions?: readonly string[];
  /** Drop frames in ffmpeg to at most this rate (cameras: never let latency pile up). */
  readonly fps?: number | undefined;
  /** Replay the input forever (-stream_loop -1). */
  readonly loop?: boolean;
}

/** JPEG quality 1-100 to ffmpeg's MJPEG qscale 31 (worst) .. 2 (best). */
export function mjpegQscale(quality: number): number {
  const q = Math.round(31 - ((Math.min(100, Math.max(1, quality)) - 1) * 29) / 99);
  return Math.min(31, Math.max(2, q));
}

export function buildFfmpegArgs(o: FfmpegArgsOptions): string[] {
  const filters = [
    ...(o.fps === undefined ? [] : [`fps=${o.fps}`]),
    `scale=${o.width}:${o.height}`,
  ];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...(o.loop === true ? ['-stream_loop', '-1'] : []),
    ...(o.inputOptions ?? []),
    '-i',
    o.input,
    '-an',
    '-f',
    'image2pipe',
    '-vcodec',
    'mjpeg',
    '-q:v',
    String(mjpegQscale(o.quality)),
    '-vf',
    filters.join(','),
    '-',
  ];
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** ffmpeg on PATH, else the optional @ffmpeg-installer/ffmpeg package; SourceError if neither. */
export async function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
    if (await isExecutable(file)) {
      return file;
    }
  }
  const pkg = '@ffmpeg-installer/ffmpeg';
  try {
    const mod = (await import(pkg)) as { default?: { path?: unknown }; path?: unknown };
    const path = mod.default?.path ?? mod.path;
    if (typeof path === 'string' && (await isExecutable(path))) {
      return path;
    }
  } catch {
    // optional package not installed
  }
  throw new SourceError(
    'ffmpeg not found: install it (apt-get install ffmpeg) or `npm install @ffmpeg-installer/ffmpeg`',
  );
}

/** Runs ffmpeg and yields each JPEG it writes; throws SourceError if it exits non-zero. */
export async function* runFfmpegMjpeg(
  ffmpegPath: string,
  args: readonly string[],
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): AsyncGenerator<Buffer> {
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  signal.addEventListener('abort', kill, { once: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => {}); // observed below
  const splitter = new JpegSplitter();
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const image of splitter.push(chunk)) {
        if (signal.aborted) {
          return;
        }
        yield image;
      }
    }
    const code = await exited.catch((err: unknown) => {
      throw new SourceError(`cannot run ${ffmpegPath}`, { cause: err });
    });
    if (code !== 0 && !signal.aborted) {
      throw new SourceError(`ffmpeg exited with code ${String(code)}: ${stderr.trim()}`);
    }
  } finally {
    signal.removeEventListener('abort', kill);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
}
