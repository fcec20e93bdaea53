import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { shownValue } from './hide-secrets.js';
import { resolveRedisUrls } from './redis-url-layers.js';
import { ConfigSchema, type Config } from './schema.js';
import { closestName, unknownEnvNames } from './unknown-names.js';

/** A nested, partial config object (from a JSON file, the environment or CLI flags). */
export type ConfigLayer = { [key: string]: unknown };

export interface LoadConfigOptions {
  /** A command's own defaults (the demo's frame count, a quieter log): above the schema's only. */
  readonly defaults?: ConfigLayer;
  /** JSON file given with --config. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides from CLI flags, already nested (`{ worker: { threads: 4 } }`). */
  readonly flags?: ConfigLayer;
}

/**
 * defaults (the schema's, then the command's) < JSON file < env (FRAMEPIPE_*, REDIS_URL,
 * DATABASE_URL) < flags; parsed once and frozen.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Readonly<Config>> {
  const file = options.file === undefined ? {} : await readConfigFile(options.file);
  const env = envLayer(options.env ?? {});
  return parseConfig([options.defaults ?? {}, file, env, options.flags ?? {}]);
}

/** Lowest layer first; a later layer wins, also over a lower layer's redis.url. */
export function parseConfig(layers: readonly ConfigLayer[]): Readonly<Config> {
  const merged = resolveRedisUrls(layers).reduce<ConfigLayer>(
    (acc, layer) => mergeDeep(acc, layer),
    {},
  );
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => toConfigIssue(issue, merged));
    const lines = issues.map((i) =>
      i.value === undefined && i.message.startsWith('unknown option')
        ? `  ${i.path}: ${i.message}`
        : `  ${i.path}: ${i.message} (got ${JSON.stringify(i.value) ?? 'undefined'})`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`, issues);
  }
  checkRedisAddress(result.data.redis);
  return deepFreeze(result.data);
}

/** Options valid one by one that do not go together: every command refuses them alike. */
function checkRedisAddress(redis: Config['redis']): void {
  if (redis.socketPath !== undefined && (redis.mode !== 'standalone' || redis.url !== undefined)) {
    const message = 'works with redis.mode standalone and no redis.url';
    throw new ConfigError(`invalid configuration:\n  redis.socketPath: ${message}`, [
      { path: 'redis.socketPath', message, value: redis.socketPath },
    ]);
  }
}

async function readConfigFile(path: string): Promise<ConfigLayer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, [], {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`, [], {
      cause: err,
    });
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  return parsed;
}

/** `worker.claimIdleMs` -> `FRAMEPIPE_WORKER_CLAIM_IDLE_MS`. */
export function envName(path: readonly string[]): string {
  const snake = path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase());
  return `FRAMEPIPE_${snake.join('_')}`;
}

interface Leaf {
  readonly path: readonly string[];
  readonly schema: z.ZodType;
}

/** Every option of the schema with its path; the basis of env names and the config table. */
export function configLeaves(): Leaf[] {
  const leaves: Leaf[] = [];
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.shape)) {
    const inner = unwrap(sectionSchema) as z.ZodObject;
    for (const [key, schema] of Object.entries(inner.shape)) {
      leaves.push({ path: [section, key], schema: schema as z.ZodType });
    }
  }
  return leaves;
}

/** Conventional variables hosting platforms set: [name, framepipe's own name, config path]. */
const CONVENTIONAL_URLS: readonly (readonly [string, string, readonly string[]])[] = [
  ['REDIS_URL', 'FRAMEPIPE_REDIS_URL', ['redis', 'url']],
  ['DATABASE_URL', 'FRAMEPIPE_POSTGRES_URL', ['postgres', 'url']],
];

export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const known = configLeaves().map((l) => envName(l.path));
  const typos = unknownEnvNames(Object.keys(env), known, Object.keys(ConfigSchema.shape));
  if (typos.length > 0) {
    const issues = typos.map((name) => {
      const meant = closestName(name, known);
      return {
        path: name,
        message: `unknown environment variable${meant === undefined ? '' : ` (did you mean ${meant}?)`}`,
        value: env[name],
      };
    });
    throw new ConfigError(
      `invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      issues,
    );
  }
  let layer: ConfigLayer = {};
  for (const leaf of configLeaves()) {
    const raw = env[envName(leaf.path)];
    if (raw !== undefined && raw !== '') {
      layer = mergeDeep(layer, nest(leaf.path, coerceEnvValue(raw, leaf.schema)));
    }
  }
  // The conventional names hosting platforms set; framepipe's own names win over them.
  for (const [alias, own, path] of CONVENTIONAL_URLS) {
    const raw = env[alias];
    if (raw !== undefined && raw !== '' && env[own] === undefined) {
      layer = mergeDeep(layer, nest(path, raw));
    }
  }
  return layer;
}

/** Env values are strings: convert by the option's type; zod then reports what is wrong. */
export function coerceEnvValue(raw: string, schema: z.ZodType): unknown {
  const type = leafType(schema);
  switch (type) {
    case 'number': {
      const n = Number(raw);
      return raw.trim() === '' || Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) {
        return true;
      }
      return /^(0|false|no|off)$/i.test(raw) ? false : raw;
    case 'array':
      return raw.startsWith('[') ? safeJson(raw) : raw.split(',').map((s) => s.trim());
    default:
      return raw;
  }
}

export function leafType(schema: z.ZodType): string {
  return unwrap(schema)._zod.def.type;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'default' || def.type === 'optional') && def.innerType) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function toConfigIssue(issue: z.core.$ZodIssue, input: ConfigLayer): ConfigIssue {
  const path = issue.path.map(String);
  let value: unknown = input;
  for (const key of path) {
    value = isPlainObject(value) || Array.isArray(value) ? (value as ConfigLayer)[key] : undefined;
  }
  if (issue.code === 'unrecognized_keys') {
    const full = [...path, ...issue.keys].join('.');
    const meant = closestName(
      full,
      configLeaves().map((l) => l.path.join('.')),
    );
    return {
      path: full,
      message: `unknown option${meant === undefined ? '' : ` (did you mean ${meant}?)`}`,
      value: undefined,
    };
  }
  let message = issue.message;
  if (issue.code === 'invalid_value') {
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { path: path.join('.'), message, value: shownValue(path.join('.'), value) };
}

function nest(path: readonly string[], value: unknown): ConfigLayer {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as ConfigLayer;
}

function isPlainObject(v: unknown): v is ConfigLayer {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeDeep(base: ConfigLayer, over: ConfigLayer): ConfigLayer {
  const out: ConfigLayer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) {
      continue;
    }
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeDeep(prev, value) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
    Object.freeze(value);
  }
  return value;
}
