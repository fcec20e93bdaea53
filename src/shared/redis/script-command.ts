import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './create-redis.js';

export type ScriptArg = string | number | Buffer;

type ScriptFn = (...args: ScriptArg[]) => unknown;

/** A client or a pipeline made from it: pipelines inherit the client's script commands. */
export type ScriptTarget = RedisClient | ChainableCommander;

/** Whether defineCommand() already put the script command `name` on this client. */
export function hasScript(on: ScriptTarget, name: string): boolean {
  return typeof (on as unknown as Record<string, unknown>)[name] === 'function';
}

/**
 * Calls the script command `name` that defineCommand() added (EVALSHA, EVAL when Redis does
 * not know the script yet). ioredis's types do not know such commands: the one cast lives
 * here. On a client it resolves with the reply; on a pipeline it queues the call and returns
 * the pipeline (the reply comes from exec()).
 */
export function callScript(on: ScriptTarget, name: string, ...args: ScriptArg[]): unknown {
  const fn = (on as unknown as Record<string, ScriptFn | undefined>)[name];
  if (typeof fn !== 'function') {
    throw new Error(`script command ${name} is not defined on this client`);
  }
  return fn.apply(on, args);
}
