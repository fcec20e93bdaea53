// Dev script: the plate reader on the real labelled photos in ../shared/plates-dev (not part of the repo).
// Usage: npx tsx eval/run-real-eval.ts [eu|br ...] [--limit N] [--det-side PX]
import { formatEvalReport, runPlateEval } from '../src/plates/eval/run-eval.js';
import { createPlateReader } from '../src/plates/plate-reader.js';
import type { EvalSample } from '../src/plates/eval/eval-metrics.js';
import { summarise } from '../src/plates/eval/eval-metrics.js';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args.splice(limitAt, 2)[1]) : undefined;
const sideAt = args.indexOf('--det-side');
const detMaxSidePx = sideAt >= 0 ? Number(args.splice(sideAt, 2)[1]) : undefined;
const sets = args.length > 0 ? args : ['eu', 'br'];
const root = new URL('../../shared/plates-dev/', import.meta.url).pathname;
const reader = await createPlateReader(detMaxSidePx === undefined ? {} : { detMaxSidePx });
const samples: EvalSample[] = [];
for (const set of sets) {
  const report = await runPlateEval({
    images: `${root}${set}`,
    truth: `${root}${set}/labels.csv`,
    reader,
    ...(limit === undefined ? {} : { limit }),
    onProgress: ({ done, total }) => process.stderr.write(`\r${set} ${done}/${total}`),
  });
  process.stderr.write('\n');
  samples.push(...report.samples);
}
await reader.close();
process.stdout.write(`${formatEvalReport({ groups: summarise(samples), samples }, 60)}\n`);
