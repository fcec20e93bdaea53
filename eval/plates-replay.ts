// Dev tool for tuning the layout rules without running the models again: `record` runs detection and
// recognition once per photo (every candidate line, normal and wide re-read, at both detector sizes) and
// saves the recognised characters; `replay` then runs the reader's choice logic (plate-reader.ts) on them.
// Usage: npx tsx eval/plates-replay.ts record OUT.json [eu br synthetic]
//        npx tsx eval/plates-replay.ts replay OUT.json
// Replay mirrors plate-reader.ts; confirm any change with `npm run eval:plates:real` and `eval:plates`.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { InferenceSession } from 'onnxruntime-node';
import { defaultModelFiles, readDictionary } from '../src/plates/ocr/model-files.js';
import { buildLabelMap } from '../src/plates/ocr/ctc-decode.js';
import type { Box, RgbImage } from '../src/plates/ocr/rgb-image.js';
import { cropRgb, decodeRgb, padBox, stretchContrast } from '../src/plates/ocr/rgb-image.js';
import { detectText } from '../src/plates/ocr/text-detector.js';
import { recognizeLine } from '../src/plates/ocr/text-recognizer.js';
import { deskewCrop } from '../src/plates/ocr/deskew.js';
import { plateCandidates } from '../src/plates/localise/plate-candidates.js';
import type { RecognisedLine } from '../src/plates/format/choose-plate.js';
import { choosePlates } from '../src/plates/format/choose-plate.js';
import { groupByFile, parseTruthCsv } from '../src/plates/eval/truth-csv.js';
import { renderPlateScene } from '../src/plates/synthetic/render-plate-scene.js';
import { DIFFICULTIES } from '../src/plates/synthetic/scene-params.js';

interface SavedChar {
  char: string;
  prob: number;
  gapBefore: boolean;
  dist: number[];
}
interface SavedLine {
  bbox: Box;
  normal: SavedChar[];
  wide: SavedChar[];
}
interface SavedPhoto {
  id: string;
  group: string;
  truths: string[];
  big: boolean;
  passes: SavedLine[][];
}

const verbose = process.argv.includes('--verbose');
const [mode, out = '/tmp/plates-replay.json', ...sets] = process.argv
  .slice(2)
  .filter((a) => a !== '--verbose');
const MIN_CONFIDENCE = 0.3;
const RETRY_BELOW = 0.8;

if (mode === 'record') {
  const files = defaultModelFiles();
  const opts = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all' as const,
  };
  const det = await InferenceSession.create(files.detectionPath, opts);
  const rec = await InferenceSession.create(files.recognitionPath, opts);
  const map = buildLabelMap(await readDictionary(files.dictionaryPath));
  const save = (cs: Awaited<ReturnType<typeof recognizeLine>>): SavedChar[] =>
    cs.map((c) => ({ char: c.char, prob: c.prob, gapBefore: c.gapBefore, dist: [...c.dist] }));
  const pass = async (img: RgbImage, side: number): Promise<SavedLine[]> => {
    const lines: SavedLine[] = [];
    for (const c of plateCandidates(await detectText(det, img, { maxSidePx: side }))) {
      const crop = async (b: Box, px: number, py: number): Promise<RgbImage> =>
        (await deskewCrop(img, b, c.angleDeg, px, py)) ??
        cropRgb(img, padBox(b, px, py, img.width, img.height));
      const bbox = round(c);
      const normal = save(await recognizeLine(rec, map, await crop(c, 0.06, 0.15)));
      const wide = save(
        await recognizeLine(rec, map, stretchContrast(await crop(bbox, 0.16, 0.3))),
      );
      lines.push({ bbox, normal, wide });
    }
    return lines;
  };
  const photos: SavedPhoto[] = [];
  const add = async (id: string, group: string, truths: string[], jpeg: Buffer): Promise<void> => {
    const img = await decodeRgb(jpeg);
    const big = Math.max(img.width, img.height) > 736;
    const passes = [await pass(img, 736), ...(big ? [await pass(img, 1280)] : [])];
    photos.push({ id, group, truths, big, passes });
    process.stderr.write(`\r${group} ${photos.length}`);
  };
  for (const set of sets.length > 0 ? sets : ['eu', 'br']) {
    if (set === 'synthetic') {
      for (const difficulty of DIFFICULTIES) {
        for (let i = 0; i < 100; i++) {
          const index = DIFFICULTIES.indexOf(difficulty) * 100_000 + i;
          const s = await renderPlateScene({
            seed: '2024',
            index,
            width: 960,
            height: 720,
            difficulty,
          });
          await add(`${difficulty}#${i}`, difficulty, [s.truth.plate], s.jpeg);
        }
      }
      continue;
    }
    const dir = new URL(`../../shared/plates-dev/${set}/`, import.meta.url).pathname;
    const truths = groupByFile(parseTruthCsv(await readFile(`${dir}labels.csv`, 'utf8')));
    for (const file of (await readdir(dir)).filter((f) => truths.has(f)).sort()) {
      await add(file, set, [...(truths.get(file) ?? [])], await readFile(`${dir}${file}`));
    }
  }
  await writeFile(out, JSON.stringify(photos));
  process.stderr.write('\n');
} else {
  const photos = JSON.parse(await readFile(out, 'utf8')) as SavedPhoto[];
  const load = (cs: SavedChar[]): RecognisedLine['chars'] =>
    cs.map((c) => ({ ...c, dist: Float32Array.from(c.dist) }));
  const stats = new Map<string, { n: number; ok: number }>();
  for (const p of photos) {
    const lines: RecognisedLine[] = [];
    const runPass = (saved: SavedLine[]): void => {
      const normal = saved.map((s) => ({ bbox: s.bbox, chars: load(s.normal) }));
      lines.push(...normal);
      for (const first of choosePlates(normal, MIN_CONFIDENCE).slice(0, 3)) {
        const s = saved.find((x) => x.bbox === first.bbox);
        if (s) {
          lines.push({ bbox: s.bbox, chars: load(s.wide) });
        }
      }
    };
    runPass(p.passes[0] ?? []);
    let reads = choosePlates(lines, MIN_CONFIDENCE);
    const best = reads[0];
    if (p.big && (!best || best.layout === null || best.confidence < RETRY_BELOW)) {
      runPass(p.passes[1] ?? []);
      reads = choosePlates(lines, MIN_CONFIDENCE);
    }
    const read = reads[0]?.text ?? null;
    const from = lines.find((l) => l.bbox === reads[0]?.bbox);
    if (verbose && from && read !== null) {
      const raw = from.chars.map(
        (c) => `${c.gapBefore === true ? '_' : ''}${c.char}${c.prob.toFixed(2)}`,
      );
      const changed =
        [...read].some((c, i) => from.chars[i]?.char !== c) || raw.length !== read.length;
      if (changed) {
        const ok = p.truths.includes(read) ? 'ok  ' : 'MISS';
        console.log(`  ${ok} ${p.id} ${read} ${reads[0]?.layout ?? '-'} <- ${raw.join(' ')}`);
      }
    }
    const st = stats.get(p.group) ?? { n: 0, ok: 0 };
    st.n++;
    if (read !== null && p.truths.includes(read)) {
      st.ok++;
    } else {
      const second = reads[1] ? ` (then ${reads[1].text})` : '';
      console.log(`- ${p.id}: expected ${p.truths.join('/')}, read ${read ?? '-'}${second}`);
    }
    stats.set(p.group, st);
  }
  for (const [g, s] of stats) {
    console.log(`${g}: ${s.ok}/${s.n} ${((100 * s.ok) / s.n).toFixed(1)}%`);
  }
}

function round(b: Box): Box {
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
}
