import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogConfig } from './config/schema.js';

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

export function createLogger(
  config: LogConfig,
  options: { name?: string; destination?: DestinationStream } = {},
): Logger {
  const base = { level: config.level, name: options.name ?? 'framepipe' };
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
