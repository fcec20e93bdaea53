import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogConfig } from './config/schema.js';
import { isSystemError } from './errors.js';

export type Logger = PinoLogger;

/** pino-pretty is a dev dependency: use it only when installed and asked for (or on a TTY). */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

function isRedisCommand(v: unknown): v is { name?: unknown; args: unknown } {
  return typeof v === 'object' && v !== null && 'args' in v;
}

/** Copies a serialized error, each Redis `command` cut down to its name (depth-limited). */
function withoutCommandArgs(v: unknown, depth: number): unknown {
  if (depth > 3 || typeof v !== 'object' || v === null || Array.isArray(v) || Buffer.isBuffer(v)) {
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      k === 'command' && isRedisCommand(x) ? { name: x.name } : withoutCommandArgs(x, depth + 1);
  }
  return out;
}

/**
 * Errors as the logs show them, but without the arguments of the Redis command that failed
 * (ioredis attaches them): an AUTH error would print the password, a refused XADD the frame.
 * System errors go without their stack: a Redis that is down is logged every few seconds.
 */
export function serializeError(err: unknown): unknown {
  const out = withoutCommandArgs(pino.stdSerializers.err(err as Error), 0);
  if (isSystemError(err) && typeof out === 'object' && out !== null) {
    const { stack: _stack, ...rest } = out as Record<string, unknown>;
    return rest;
  }
  return out;
}

export function createLogger(
  config: LogConfig,
  options: { name?: string; destination?: DestinationStream } = {},
): Logger {
  const base = {
    level: config.level,
    name: options.name ?? 'framepipe',
    serializers: { err: serializeError },
  };
  if (options.destination !== undefined) {
    return pino(base, options.destination);
  }
  const pretty = config.pretty ?? (process.stdout.isTTY && process.env.CI === undefined);
  if (pretty && prettyAvailable()) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(base);
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
