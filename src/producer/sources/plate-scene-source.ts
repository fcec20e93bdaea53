import { renderPlateScene, type Difficulty } from '../../plates/synthetic/render-plate-scene.js';
import type { FrameSource, RawFrame } from './frame-source.js';

export interface PlateSceneSourceOptions {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
}

const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/**
 * Synthetic car-plate scenes (easy, medium, hard in turn), deterministic from the seed. The
 * ground truth (plate text and box) travels in the frame's meta, so results can be checked
 * downstream. Rendering costs tens of ms a frame: fine for a demo at camera rates.
 */
export function createPlateSceneSource(options: PlateSceneSourceOptions): FrameSource {
  let closed = false;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RawFrame> {
      for (let index = 0; !closed; index++) {
        const scene = await renderPlateScene({
          seed: options.seed,
          index,
          width: options.width,
          height: options.height,
          difficulty: DIFFICULTIES[index % DIFFICULTIES.length]!,
        });
        yield {
          width: scene.width,
          height: scene.height,
          image: { format: 'jpeg', data: scene.jpeg },
          meta: { plate: scene.truth.plate, bbox: scene.truth.bbox, index },
        };
      }
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
