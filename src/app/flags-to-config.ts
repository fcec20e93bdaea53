import {
  coerceEnvValue,
  configLeaves,
  mergeDeep,
  type ConfigLayer,
} from '../shared/config/load-config.js';

/** CLI flag -> config path. Types and validation come from the schema. */
export const FLAG_PATHS: Record<string, readonly [string, string]> = {
  redisUrl: ['redis', 'url'],
  redisHost: ['redis', 'host'],
  redisPort: ['redis', 'port'],
  redisSocket: ['redis', 'socketPath'],
  prefix: ['redis', 'prefix'],
  logLevel: ['log', 'level'],
  metricsPort: ['metrics', 'port'],
  source: ['producer', 'source'],
  kind: ['producer', 'kind'],
  path: ['producer', 'path'],
  loop: ['producer', 'loop'],
  seed: ['producer', 'seed'],
  frames: ['producer', 'frames'],
  fps: ['producer', 'fps'],
  width: ['producer', 'width'],
  height: ['producer', 'height'],
  quality: ['producer', 'quality'],
  policy: ['producer', 'policy'],
  scene: ['producer', 'scene'],
  maxLen: ['producer', 'maxLen'],
  maxBacklog: ['producer', 'maxBacklog'],
  maxFrameBytes: ['producer', 'maxFrameBytes'],
  group: ['worker', 'group'],
  consumer: ['worker', 'consumer'],
  sources: ['worker', 'sources'],
  processor: ['worker', 'processor'],
  threads: ['worker', 'threads'],
  maxInFlight: ['worker', 'maxInFlight'],
  blockMs: ['worker', 'blockMs'],
  claimIdleMs: ['worker', 'claimIdleMs'],
  maxDeliveries: ['worker', 'maxDeliveries'],
  processTimeoutMs: ['worker', 'processTimeoutMs'],
  thumbnailDir: ['worker', 'thumbnailDir'],
  channelPrefix: ['bridge', 'channelPrefix'],
  mode: ['bridge', 'mode'],
  maxMessageBytes: ['bridge', 'maxMessageBytes'],
  viewerPort: ['viewer', 'port'],
  viewerHost: ['viewer', 'host'],
  viewerToken: ['viewer', 'token'],
  viewerAllowedHosts: ['viewer', 'allowedHosts'],
  postgresUrl: ['postgres', 'url'],
  sinkConsumer: ['sink', 'consumer'],
  apiPort: ['api', 'port'],
  apiHost: ['api', 'host'],
};

const leafSchemas = new Map(configLeaves().map((l) => [l.path.join('.'), l.schema]));

/** Commander's option values -> a nested config layer, coerced by each option's schema type. */
export function flagsToLayer(opts: Record<string, unknown>): ConfigLayer {
  let layer: ConfigLayer = {};
  for (const [name, value] of Object.entries(opts)) {
    const path = FLAG_PATHS[name];
    if (path === undefined || value === undefined) {
      continue;
    }
    const schema = leafSchemas.get(path.join('.'));
    const coerced =
      typeof value === 'string' && schema !== undefined ? coerceEnvValue(value, schema) : value;
    layer = mergeDeep(layer, { [path[0]]: { [path[1]]: coerced } });
  }
  return layer;
}
