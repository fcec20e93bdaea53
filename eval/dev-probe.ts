// Dev probe: shows every plate-like line of a photo with its best readings (../shared/plates-dev).
// Usage: npx tsx eval/dev-probe.ts eu eu-005.jpg eu-012.jpg ...
import { readFileSync } from 'node:fs';
import { InferenceSession } from 'onnxruntime-node';
import { defaultModelFiles, readDictionary } from '../src/plates/ocr/model-files.js';
import { decodeRgb, cropRgb, padBox } from '../src/plates/ocr/rgb-image.js';
import { detectText } from '../src/plates/ocr/text-detector.js';
import { recognizeLine } from '../src/plates/ocr/text-recognizer.js';
import { PLATE_ALPHABET, buildLabelMap } from '../src/plates/ocr/ctc-decode.js';
import { plateCandidates } from '../src/plates/localise/plate-candidates.js';
import { interpretLine } from '../src/plates/format/interpret-line.js';

const files = defaultModelFiles();
const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const det = await InferenceSession.create(files.detectionPath, opts);
const rec = await InferenceSession.create(files.recognitionPath, opts);
const map = buildLabelMap(await readDictionary(files.dictionaryPath));
const [set = 'eu', ...names] = process.argv.slice(2);
const dir = `../shared/plates-dev/${set}`;
const labels = readFileSync(`${dir}/labels.csv`, 'utf8').trim().split('\n');
for (const name of names) {
  const row = labels.find((l) => l.startsWith(`${name},`)) ?? '';
  const img = await decodeRgb(readFileSync(`${dir}/${name}`));
  const boxes = await detectText(det, img, { maxSidePx: 960 });
  console.log(`== ${row} (${boxes.length} boxes)`);
  for (const c of plateCandidates(boxes)) {
    const chars = await recognizeLine(
      rec,
      map,
      cropRgb(img, padBox(c, 0.06, 0.15, img.width, img.height)),
    );
    const raw = chars.map((ch) => {
      const top = [...ch.dist]
        .map((p, i) => [p, i] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(1, 2);
      const alt = top.map(([p, i]) => `${PLATE_ALPHABET[i]}${p.toFixed(2)}`).join('');
      return `${ch.gapBefore ? '_' : ''}${ch.char}${ch.prob.toFixed(2)}(${alt})`;
    });
    const best = interpretLine(chars)
      .slice(0, 3)
      .map((r) => `${r.text}/${r.layout ?? '-'}/${r.score.toFixed(1)}`);
    console.log(
      `  [${[c.x, c.y, c.w, c.h].map(Math.round).join(',')} s${c.score.toFixed(2)} p${c.parts}] ${raw.join(' ')} => ${best.join('  ')}`,
    );
  }
}
