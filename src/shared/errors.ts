/** Every error framepipe raises on purpose carries one of these codes (docs/errors.md). */
export type ErrorCode =
  | 'FRAMEPIPE_ERR_CONFIG'
  | 'FRAMEPIPE_ERR_POISON_FRAME'
  | 'FRAMEPIPE_ERR_FRAME_TOO_LARGE'
  | 'FRAMEPIPE_ERR_REDIS_UNAVAILABLE'
  | 'FRAMEPIPE_ERR_SHUTDOWN_TIMEOUT'
  | 'FRAMEPIPE_ERR_SOURCE'
  | 'FRAMEPIPE_ERR_PROCESSOR'
  | 'FRAMEPIPE_ERR_PROCESS_TIMEOUT'
  | 'FRAMEPIPE_ERR_RESULT_UNSTORABLE'
  | 'FRAMEPIPE_ERR_MAX_DELIVERIES'
  | 'FRAMEPIPE_ERR_LEASE_HELD';

export class FramepipeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ConfigIssue {
  /** Dotted path of the option, e.g. `redis.port`. */
  readonly path: string;
  readonly message: string;
  readonly value: unknown;
}

/** Bad configuration: raised at start-up, the CLI exits with code 2. */
export class ConfigError extends FramepipeError {
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
    options?: ErrorOptions,
  ) {
    super('FRAMEPIPE_ERR_CONFIG', message, options);
  }
}

/** An entry that can never be processed (bad fields, undecodable JPEG): dead-lettered at once. */
export class PoisonFrameError extends FramepipeError {
  constructor(message: string, options?: ErrorOptions) {
    super('FRAMEPIPE_ERR_POISON_FRAME', message, options);
  }
}

export class FrameTooLargeError extends FramepipeError {
  constructor(
    readonly bytes: number,
    readonly maxFrameBytes: number,
  ) {
    super(
      'FRAMEPIPE_ERR_FRAME_TOO_LARGE',
      `frame of ${bytes} bytes exceeds maxFrameBytes=${maxFrameBytes}`,
    );
  }
}

export class RedisUnavailableError extends FramepipeError {
  constructor(message: string, options?: ErrorOptions) {
    super('FRAMEPIPE_ERR_REDIS_UNAVAILABLE', message, options);
  }
}

export class SourceError extends FramepipeError {
  constructor(message: string, options?: ErrorOptions) {
    super('FRAMEPIPE_ERR_SOURCE', message, options);
  }
}

export class ProcessorError extends FramepipeError {
  constructor(message: string, options?: ErrorOptions) {
    super('FRAMEPIPE_ERR_PROCESSOR', message, options);
  }
}

/**
 * A processor's result JSON cannot hold (a BigInt, a cycle, a function): the same code gives
 * the same result on every delivery, so the frame is dead-lettered at once, to be redriven
 * once the processor is fixed, instead of being processed maxDeliveries times for nothing.
 */
export class ResultUnstorableError extends FramepipeError {
  constructor(message: string, options?: ErrorOptions) {
    super('FRAMEPIPE_ERR_RESULT_UNSTORABLE', message, options);
  }
}

/** A frame still processing after worker.processTimeoutMs: failed like a processor error. */
export class ProcessTimeoutError extends FramepipeError {
  constructor(readonly timeoutMs: number) {
    super(
      'FRAMEPIPE_ERR_PROCESS_TIMEOUT',
      `processing took longer than worker.processTimeoutMs (${timeoutMs} ms)`,
    );
  }
}

export class LeaseHeldError extends FramepipeError {
  constructor(
    readonly source: string,
    readonly holder: string,
    /** Time left on the holder's lease, when known: a crashed holder's lease runs out then. */
    readonly expiresInMs?: number,
  ) {
    const left =
      expiresInMs === undefined || expiresInMs < 0
        ? ''
        : ` (it expires in ${(expiresInMs / 1000).toFixed(1)} s unless that producer renews it)`;
    super(
      'FRAMEPIPE_ERR_LEASE_HELD',
      `source "${source}" already has a producer (${holder}); stop it or wait for its lease to expire${left}`,
    );
  }
}

/** Errors whose frame must go to the dead-letter stream at once, without retries. */
export function isPermanentFrameError(err: unknown): boolean {
  if (
    err instanceof PoisonFrameError ||
    err instanceof FrameTooLargeError ||
    err instanceof ResultUnstorableError
  ) {
    return true;
  }
  // Errors crossing a Piscina thread lose their class but keep own enumerable fields.
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'FRAMEPIPE_ERR_POISON_FRAME' ||
    code === 'FRAMEPIPE_ERR_FRAME_TOO_LARGE' ||
    code === 'FRAMEPIPE_ERR_RESULT_UNSTORABLE'
  );
}

/**
 * A system call's error (ECONNREFUSED, EADDRINUSE, EAI_AGAIN...): operational, its code says
 * what happened. Not Node's own ERR_* codes, which are bugs.
 */
export function isSystemError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E(?!RR_)[A-Z_]+$/.test(code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
