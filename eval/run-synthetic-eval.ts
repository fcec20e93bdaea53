// npm run eval:plates: a fixed seeded set of synthetic scenes (easy/medium/hard) through the plate
// processor; prints exact match, character accuracy and ms per frame, and writes eval/results/synthetic.md.
// Usage: tsx eval/run-synthetic-eval.ts [--per-difficulty N] [--seed S] [--width W --height H]
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderPlateScene } from '../src/plates/synthetic/render-plate-scene.js';
import { DIFFICULTIES } from '../src/plates/synthetic/scene-params.js';
import { createPlateReader } from '../src/plates/plate-reader.js';
import { readPlateFrame } from '../src/plates/plate-processor.js';
import type { EvalSample } from '../src/plates/eval/eval-metrics.js';
import { summarise } from '../src/plates/eval/eval-metrics.js';
import { formatEvalReport } from '../src/plates/eval/format-eval-report.js';

const { values } = parseArgs({
  options: {
    'per-difficulty': { type: 'string', default: '100' },
    seed: { type: 'string', default: '2024' },
    width: { type: 'string', default: '960' },
    height: { type: 'string', default: '720' },
    out: { type: 'string', default: new URL('./results/synthetic.md', import.meta.url).pathname },
  },
});
const perDifficulty = Number(values['per-difficulty']);
const width = Number(values.width);
const height = Number(values.height);
const reader = await createPlateReader();
const samples: EvalSample[] = [];
const total = perDifficulty * DIFFICULTIES.length;
for (const difficulty of DIFFICULTIES) {
  for (let i = 0; i < perDifficulty; i++) {
    const index = DIFFICULTIES.indexOf(difficulty) * 100_000 + i;
    const scene = await renderPlateScene({ seed: values.seed, index, width, height, difficulty });
    const frame = {
      id: `${index}`,
      source: 'eval',
      seq: index,
      captureUs: 0,
      width,
      height,
      data: scene.jpeg,
      meta: scene.truth,
    };
    const cpu = process.cpuUsage();
    const result = await readPlateFrame(frame, reader);
    const used = process.cpuUsage(cpu);
    samples.push({
      id: `${difficulty}#${i}`,
      group: difficulty,
      truths: [scene.truth.plate],
      read: result.plate,
      ms: result.ms,
      cpuMs: (used.user + used.system) / 1000,
    });
    const done = samples.length;
    const bar = '#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.');
    process.stderr.write(`\r[${bar}] ${done}/${total} ${difficulty}`);
  }
}
process.stderr.write('\n');
await reader.close();
const header = `Synthetic plate scenes: seed ${values.seed}, ${perDifficulty} per difficulty, ${width}x${height}, 1 ONNX thread.\n\n`;
const table = formatEvalReport({ groups: summarise(samples), samples }, 30);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(values.out, `${header}${table}\n`);
process.stdout.write(`${header}${table}\nwritten to ${values.out}\n`);
