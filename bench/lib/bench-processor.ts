import { loadProcessor } from '../../src/workers/processors/load-processor.js';
import type {
  FrameInput,
  ProcessOptions,
  Processor,
} from '../../src/workers/processors/processor.js';
import type { FrameSet } from './frames.js';
import type { ProcessorName } from './tasks.js';

/** The options framepipe's worker passes; noop and stats ignore them. */
export const PROCESS_OPTIONS: ProcessOptions = { thumbnailDir: 'thumbnails', thumbnailWidth: 160 };

/** The very module framepipe's worker loads, so every system does identical work. */
export async function benchProcessor(
  name: ProcessorName,
): Promise<{ processor: Processor; url: string }> {
  return loadProcessor(name);
}

export function frameInput(set: FrameSet, i: number, data?: Uint8Array): FrameInput {
  const jpeg = set.jpegs[i % set.jpegs.length]!;
  return {
    id: `${i + 1}-0`,
    source: 'bench',
    seq: i,
    captureUs: Date.now() * 1000,
    width: set.width,
    height: set.height,
    data: data ?? jpeg,
  };
}

/** Runs `task(i)` for i in 0..count-1 with `inFlight` at once; calls onDone after each. */
export async function runWithInFlight(
  count: number,
  inFlight: number,
  task: (i: number) => Promise<unknown>,
  onDone: (done: number) => void = () => undefined,
): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await task(i);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
}
