import type { ProducerConfig } from '../../shared/config/schema.js';
import { ConfigError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { createCameraSource } from './camera-source.js';
import type { FrameSource, SourceItem } from './frame-source.js';
import { createImageFolderSource } from './image-folder-source.js';
import { createPlateSceneSource } from './plate-scene-source.js';
import { createSyntheticSource } from './synthetic-source.js';
import { createVideoFileSource } from './video-file-source.js';

function requirePath(config: ProducerConfig): string {
  if (config.path === undefined || config.path === '') {
    throw new ConfigError(`producer.path is required when producer.kind is "${config.kind}"`, [
      { path: 'producer.path', value: config.path, message: `required for kind ${config.kind}` },
    ]);
  }
  return config.path;
}

/** The one switch from producer.kind to a FrameSource. */
export function createFrameSource(
  config: ProducerConfig,
  logger?: Logger,
): FrameSource<SourceItem> {
  const { width, height, quality } = config;
  switch (config.kind) {
    case 'synthetic':
      return config.scene === 'plates'
        ? createPlateSceneSource({ width, height, seed: config.seed })
        : createSyntheticSource({ width, height, seed: config.seed });
    case 'folder':
      return createImageFolderSource({
        path: requirePath(config),
        width,
        height,
        loop: config.loop,
      });
    case 'video':
      return createVideoFileSource({
        path: requirePath(config),
        width,
        height,
        quality,
        loop: config.loop,
      });
    case 'camera': {
      const log = logger?.child({ module: 'camera-source' });
      return createCameraSource({
        path: requirePath(config),
        width,
        height,
        quality,
        ...(config.fps > 0 ? { fps: config.fps } : {}),
        onReconnect: (err, delayMs) =>
          log?.warn({ err, delayMs }, 'camera stream stopped, reconnecting'),
      });
    }
  }
}
