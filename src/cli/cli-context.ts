import { flagsToLayer } from '../app/flags-to-config.js';
import { loadConfig, mergeDeep, type ConfigLayer } from '../shared/config/load-config.js';
import { defaultConfig, type Config } from '../shared/config/schema.js';

/** Commander's parsed options of a command. */
export interface CommonOpts extends Record<string, unknown> {
  config?: string;
}

export interface CommandLayers {
  readonly defaults?: ConfigLayer;
  readonly flags?: ConfigLayer;
}

/** What commands get from the entry point (src/cli.ts): config loading and the stop signal. */
export interface CliContext {
  /**
   * schema defaults < `layers.defaults` (the command's own) < --config file < env < flags
   * (the options' and `layers.flags`, what a command derives from its own flags).
   */
  configFrom(opts: CommonOpts, layers?: CommandLayers): Promise<Readonly<Config>>;
  /** True when the user pointed at a Redis: a flag, an env variable or the config file. */
  redisConfigured(opts: CommonOpts): Promise<boolean>;
  /** Aborted by the first SIGINT/SIGTERM. */
  signal(): AbortSignal;
}

export function createCliContext(env: NodeJS.ProcessEnv, signal: () => AbortSignal): CliContext {
  return {
    configFrom: (opts, layers = {}) =>
      loadConfig({
        ...(layers.defaults === undefined ? {} : { defaults: layers.defaults }),
        file: opts.config,
        env,
        flags: mergeDeep(layers.flags ?? {}, flagsToLayer(opts)),
      }),
    async redisConfigured(opts) {
      if (
        opts.redisUrl !== undefined ||
        opts.redisHost !== undefined ||
        opts.redisPort !== undefined ||
        opts.redisSocket !== undefined
      ) {
        return true;
      }
      if (
        Object.keys(env).some(
          (k) => k === 'REDIS_URL' || /^FRAMEPIPE_REDIS_(URL|HOST|PORT|MODE|SOCKET_PATH)$/.test(k),
        )
      ) {
        return true;
      }
      if (opts.config === undefined) {
        return false;
      }
      const fileOnly = (await loadConfig({ file: opts.config })).redis;
      const d = defaultConfig().redis;
      return (
        fileOnly.host !== d.host ||
        fileOnly.port !== d.port ||
        fileOnly.url !== undefined ||
        fileOnly.socketPath !== undefined ||
        fileOnly.mode !== d.mode
      );
    },
    signal,
  };
}
