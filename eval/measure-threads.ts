// Dev script: throughput of 1 vs N plate readers working at once (as N pool threads would), and memory.
// Usage: npx tsx eval/measure-threads.ts [readers=2] [scenes=24]
import { renderPlateScene } from '../src/plates/synthetic/render-plate-scene.js';
import { createPlateReader } from '../src/plates/plate-reader.js';

const readers = Number(process.argv[2] ?? 2);
const count = Number(process.argv[3] ?? 24);
const scenes = await Promise.all(
  Array.from({ length: count }, (_, index) =>
    renderPlateScene({ seed: 'threads', index, width: 960, height: 720, difficulty: 'medium' }),
  ),
);
const before = process.memoryUsage().rss;
for (const n of [1, readers]) {
  const pool = await Promise.all(Array.from({ length: n }, () => createPlateReader()));
  await pool[0]?.read(scenes[0]?.jpeg ?? Buffer.alloc(0)); // warm up
  const started = performance.now();
  let next = 0;
  await Promise.all(
    pool.map(async (reader) => {
      while (next < scenes.length) {
        const scene = scenes[next++];
        if (scene) {
          await reader.read(scene.jpeg);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rssMb = (process.memoryUsage().rss - before) / 1e6;
  process.stdout.write(
    `${n} reader(s): ${(count / seconds).toFixed(1)} frames/s, +${rssMb.toFixed(0)} MB RSS\n`,
  );
  await Promise.all(pool.map((r) => r.close()));
}
