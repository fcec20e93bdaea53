import { CommanderError } from 'commander';
import { ConfigError, FramepipeError, isSystemError } from '../shared/errors.js';
import { StoppedWhileWaitingError } from '../shared/redis/await-ready.js';
import { redisErrorHint } from '../shared/redis/error-hints.js';

export const EXIT_FAILURE = 1;
/** Bad configuration or usage: an option, a flag, an argument. */
export const EXIT_USAGE = 2;

export interface Failure {
  readonly exitCode: number;
  /** What to print on stderr; empty when commander has printed it already. */
  readonly text: string;
}

/**
 * Pure: how a command's failure ends the process. Errors the operator can act on (framepipe's
 * own, Redis replies, system errors such as EADDRINUSE) print their message and what to check;
 * a stack trace only for what nobody expected (a bug).
 */
export function describeFailure(err: unknown): Failure {
  if (err instanceof CommanderError) {
    return { exitCode: err.exitCode === 0 ? 0 : EXIT_USAGE, text: '' };
  }
  if (err instanceof StoppedWhileWaitingError) {
    return { exitCode: 0, text: `framepipe: ${err.message}\n` };
  }
  if (err instanceof ConfigError) {
    return { exitCode: EXIT_USAGE, text: `framepipe: ${err.message}\n` };
  }
  if (err instanceof FramepipeError) {
    return { exitCode: EXIT_FAILURE, text: `framepipe: ${err.message} [${err.code}]\n` };
  }
  if (!(err instanceof Error)) {
    return { exitCode: EXIT_FAILURE, text: `framepipe: ${String(err)}\n` };
  }
  if (isPostgresError(err)) {
    const hint = postgresErrorHint(err.code);
    return {
      exitCode: EXIT_FAILURE,
      text: `framepipe: PostgreSQL: ${err.message}${hint === undefined ? '' : `\n  ${hint}`}\n`,
    };
  }
  if (isOperational(err)) {
    const hint = redisErrorHint(err) ?? systemErrorHint(err);
    return {
      exitCode: EXIT_FAILURE,
      text: `framepipe: ${err.message}${hint === undefined ? '' : `\n  ${hint}`}\n`,
    };
  }
  return { exitCode: EXIT_FAILURE, text: `framepipe: ${err.message}\n${err.stack ?? ''}\n` };
}

/** Pure: what to check for a system error a command ended on, where there is something to say. */
export function systemErrorHint(err: Error & { code?: unknown }): string | undefined {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'another process listens on that port: stop it, or pick a free one (--metrics-port, --viewer-port, --api-port; 0 turns /metrics off)';
    case 'ECONNREFUSED':
      return 'nothing listens at that address: is the service up, and are redis.url / postgres.url (REDIS_URL, DATABASE_URL) right?';
    case 'EEXIST':
      return 'the file is already there: remove it or name another';
    default:
      return undefined;
  }
}

/** An error the PostgreSQL server sent (node-postgres): a severity and a SQLSTATE code. */
function isPostgresError(err: Error & { code?: unknown }): err is Error & { code: string } {
  return 'severity' in err && typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code);
}

/** Pure: what to check for a PostgreSQL error, by SQLSTATE (class 28: authorization). */
export function postgresErrorHint(sqlState: string): string | undefined {
  if (sqlState === '3D000') {
    return 'create that database (createdb <name>) or name another in postgres.url (DATABASE_URL)';
  }
  if (sqlState.startsWith('28')) {
    return 'check the user and password in postgres.url (DATABASE_URL) and pg_hba.conf';
  }
  if (sqlState === '42501') {
    return "the user lacks a privilege: framepipe db migrate needs CREATE on the database's schema";
  }
  return undefined;
}

/** A Redis reply error or a system call's error (ECONNREFUSED, EADDRINUSE, EEXIST, ENOENT...). */
function isOperational(err: Error & { code?: unknown }): boolean {
  return err.name === 'ReplyError' || isSystemError(err);
}
