import type { Box } from '../ocr/rgb-image.js';
import type { PlateText } from './plate-text.js';
import type { SceneParams } from './scene-params.js';

const FONT = `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-weight="bold"`;
const PLATE_COLOURS = { white: '#f4f4f0', yellow: '#f2c21b', grey: '#c9ccce' } as const;

interface PlateShape {
  readonly aspect: number;
  /** Text height as a share of the plate height. */
  readonly textShare: number;
  readonly header: string | null;
  readonly band: string | null;
}

/** US-style layouts get a 2:1 plate with a state-like header; UK/FR an EU band; Mercosur a blue header. */
function plateShape(text: PlateText): PlateShape {
  if (text.layout === 'LLL DDDD' || text.layout === 'DLLLDDD') {
    return { aspect: 2, textShare: 0.48, header: 'SUNSHINE STATE', band: null };
  }
  if (text.layout === 'LLLDMDD') {
    return { aspect: 3.1, textShare: 0.55, header: 'BRASIL', band: null };
  }
  return {
    aspect: 4.7,
    textShare: 0.7,
    header: null,
    band: text.layout.includes('-') ? 'F' : 'GB',
  };
}

function transformPoint(
  x: number,
  y: number,
  p: SceneParams,
  cx: number,
  cy: number,
): [number, number] {
  const sx = x + y * Math.tan((p.skewDeg * Math.PI) / 180);
  const a = (p.rotateDeg * Math.PI) / 180;
  return [cx + sx * Math.cos(a) - y * Math.sin(a), cy + sx * Math.sin(a) + y * Math.cos(a)];
}

/** The SVG of a whole scene and the plate's axis-aligned box in pixels. */
export function sceneSvg(
  text: PlateText,
  p: SceneParams,
  width: number,
  height: number,
): { svg: string; bbox: Box } {
  const shape = plateShape(text);
  const pw = p.plateWidthShare * width;
  const ph = pw / shape.aspect;
  const cx = p.cx * width;
  const cy = p.cy * height;
  const car = `hsl(${p.carHue},45%,38%)`;
  const carW = pw * 3.2;
  const carH = pw * 1.5;
  const bandW = shape.band ? pw * 0.09 : 0;
  // librsvg ignores textLength, so size the font to fit: DejaVu Sans Bold capitals advance ~0.72 em,
  // plus 0.1 em of letter spacing, as plate fonts are spaced wider than print.
  const fontPx = Math.min(
    ph * shape.textShare,
    ((pw - bandW) * 0.86) / (text.printed.length * 0.82),
  );
  const baseline = (shape.header ? ph * 0.12 : 0) + fontPx * 0.36;
  const plate = [
    `<rect x="${-pw / 2}" y="${-ph / 2}" width="${pw}" height="${ph}" rx="${ph * 0.08}" fill="${PLATE_COLOURS[p.plateStyle]}" stroke="#222" stroke-width="${ph * 0.03}"/>`,
    shape.band
      ? `<rect x="${-pw / 2}" y="${-ph / 2}" width="${bandW}" height="${ph}" fill="#1f3f99"/>` +
        `<text x="${-pw / 2 + bandW / 2}" y="${ph * 0.35}" font-size="${ph * 0.28}" fill="#fff" text-anchor="middle" ${FONT}>${shape.band}</text>`
      : '',
    shape.header
      ? `<text x="0" y="${-ph * 0.27}" font-size="${ph * 0.17}" fill="#1d3c8f" text-anchor="middle" ${FONT}>${shape.header}</text>`
      : '',
    `<text x="${bandW / 2}" y="${baseline}" font-size="${fontPx}" fill="#111" text-anchor="middle" letter-spacing="${fontPx * 0.1}" ${FONT}>${text.printed}</text>`,
    p.distractor
      ? `<text x="0" y="${ph * 0.62}" font-size="${ph * 0.14}" fill="#eee" text-anchor="middle" ${FONT}>AUTO CENTRE 555 0142</text>`
      : '',
  ].join('');
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9fb6c8"/>`,
    `<stop offset="0.45" stop-color="#8a8f93"/><stop offset="1" stop-color="#4d5154"/></linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#bg)"/>`,
    `<rect x="0" y="${height * 0.8}" width="${width}" height="${height * 0.02}" fill="#ddd"/>`,
    `<rect x="${cx - carW / 2}" y="${cy - carH * 0.75}" width="${carW}" height="${carH}" rx="${carH * 0.12}" fill="${car}"/>`,
    `<rect x="${cx - carW * 0.38}" y="${cy - carH * 0.68}" width="${carW * 0.76}" height="${carH * 0.3}" rx="${carH * 0.05}" fill="#223038"/>`,
    `<rect x="${cx - carW * 0.47}" y="${cy - carH * 0.2}" width="${carW * 0.14}" height="${carH * 0.1}" fill="#b3121b"/>`,
    `<rect x="${cx + carW * 0.33}" y="${cy - carH * 0.2}" width="${carW * 0.14}" height="${carH * 0.1}" fill="#b3121b"/>`,
    `<rect x="${cx - carW * 0.5}" y="${cy + ph * 0.7}" width="${carW}" height="${ph * 0.6}" fill="#1b1b1b"/>`,
    `<g transform="translate(${cx} ${cy}) rotate(${p.rotateDeg}) skewX(${p.skewDeg})">${plate}</g>`,
    `</svg>`,
  ].join('');
  const corners = [
    transformPoint(-pw / 2, -ph / 2, p, cx, cy),
    transformPoint(pw / 2, -ph / 2, p, cx, cy),
    transformPoint(pw / 2, ph / 2, p, cx, cy),
    transformPoint(-pw / 2, ph / 2, p, cx, cy),
  ];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const x = Math.max(0, Math.floor(Math.min(...xs)));
  const y = Math.max(0, Math.floor(Math.min(...ys)));
  const bbox = {
    x,
    y,
    w: Math.min(width, Math.ceil(Math.max(...xs))) - x,
    h: Math.min(height, Math.ceil(Math.max(...ys))) - y,
  };
  return { svg, bbox };
}
