import {
  renderPlateScene,
  type Difficulty,
} from '../../src/plates/synthetic/render-plate-scene.js';

/** A 640x480 synthetic scene and the frame a worker hands the plate processor for it. */
export async function plateSceneFrame(seed: string, index: number, difficulty: Difficulty) {
  const scene = await renderPlateScene({ seed, index, width: 640, height: 480, difficulty });
  const frame = {
    id: `${index}`,
    source: 'test',
    seq: index,
    captureUs: 0,
    width: 640,
    height: 480,
    data: scene.jpeg,
    meta: scene.truth,
  };
  return { scene, frame };
}
