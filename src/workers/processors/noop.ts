import type { Processor } from './processor.js';

/** Does nothing with the pixels: measures the pipeline's own overhead. */
const noopProcessor: Processor = {
  name: 'noop',
  runsOn: 'inline',
  process: (frame) => Promise.resolve({ bytes: frame.data.byteLength }),
};

export default noopProcessor;
