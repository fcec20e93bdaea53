/**
 * DB (differentiable binarisation) post-processing, after PaddleOCR's DBPostProcess: threshold the
 * probability map, take connected regions, drop weak ones, and "unclip" each box by
 * area * ratio / perimeter, because the model predicts shrunk text kernels.
 */
export interface ProbBox {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
  /** Orientation of the region's long axis from its second moments, degrees, clockwise positive. */
  angleDeg: number;
}

export interface DbOptions {
  readonly pixelThresh: number;
  readonly boxThresh: number;
  readonly unclipRatio: number;
  readonly minSidePx: number;
}

export const DB_DEFAULTS: DbOptions = {
  pixelThresh: 0.3,
  boxThresh: 0.5,
  unclipRatio: 1.6,
  minSidePx: 3,
};

export function findTextBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  options: DbOptions = DB_DEFAULTS,
): ProbBox[] {
  const label = new Int32Array(width * height);
  const stack: number[] = [];
  const boxes: ProbBox[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (label[start] !== 0 || (prob[start] ?? 0) <= options.pixelThresh) {
      continue;
    }
    next++;
    label[start] = next;
    stack.push(start);
    let minX = width;
    let minY = height;
    let maxX = 0;
    let maxY = 0;
    let sum = 0;
    let count = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const x = i % width;
      const y = (i - x) / width;
      sum += prob[i] ?? 0;
      count++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      const around = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
      for (const j of around) {
        if (j >= 0 && j < prob.length && label[j] === 0 && (prob[j] ?? 0) > options.pixelThresh) {
          label[j] = next;
          stack.push(j);
        }
      }
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    const score = sum / count;
    if (Math.min(w, h) < options.minSidePx || score < options.boxThresh) {
      continue;
    }
    const d = (count * options.unclipRatio) / (2 * (w + h));
    const x0 = Math.max(0, minX - d);
    const y0 = Math.max(0, minY - d);
    const x1 = Math.min(width, maxX + 1 + d);
    const y1 = Math.min(height, maxY + 1 + d);
    const mx = sx / count;
    const my = sy / count;
    const mu20 = sxx / count - mx * mx;
    const mu02 = syy / count - my * my;
    const mu11 = sxy / count - mx * my;
    const angleDeg = (0.5 * Math.atan2(2 * mu11, mu20 - mu02) * 180) / Math.PI;
    boxes.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0, score, angleDeg });
  }
  return boxes;
}
