// AssemblyScript source of src/workers/processors/grey-stats-wasm.ts (npm run build:wasm).
// Sums for the `stats` processor over 8-bit grey pixels, 16 (8 for the Laplacian) at a time
// with 128-bit SIMD: the JS loop it replaces took ~2.7 ms per 640x480 frame on the event loop.
//
// Memory: the caller places the pixels at heapOffset() or above (it grows the memory) and reads
// four i64 sums at sumsOffset(): sum, sum of squares, Laplacian sum and Laplacian sum of
// squares (4-neighbour, inner pixels). All lie above __heap_base, so they overlap nothing the
// compiler placed.

// Pixels per int32 accumulation. Per lane and iteration the squares add at most
// 2 * 2 * 255^2 (pixels) or 2 * 1020^2 (Laplacian): 4096 pixels stay far below 2^31.
const SEGMENT: usize = 4096;

export function sumsOffset(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

export function heapOffset(): usize {
  return sumsOffset() + 32;
}

// Byte indices that gather one channel of 16 interleaved RGB pixels (48 bytes, three vectors)
// into one vector: each swizzle fills its lanes and zeroes the rest (index -1), then OR.
const R0 = i8x16(0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
const R1 = i8x16(-1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14, -1, -1, -1, -1, -1);
const R2 = i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 4, 7, 10, 13);
const G0 = i8x16(1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
const G1 = i8x16(-1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1);
const G2 = i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14);
const B0 = i8x16(2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
const B1 = i8x16(-1, -1, -1, -1, -1, 1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1);
const B2 = i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15);

function gather(a: v128, b: v128, c: v128, i0: v128, i1: v128, i2: v128): v128 {
  return v128.or(v128.or(i8x16.swizzle(a, i0), i8x16.swizzle(b, i1)), i8x16.swizzle(c, i2));
}

// 77 R + 150 G + 29 B + 128 <= 65408 fits 16 unsigned bits; the shift is unsigned.
function luma8(r: v128, g: v128, b: v128): v128 {
  return i16x8.shr_u(
    i16x8.add(
      i16x8.add(i16x8.mul(r, i16x8.splat(77)), i16x8.mul(g, i16x8.splat(150))),
      i16x8.add(i16x8.mul(b, i16x8.splat(29)), i16x8.splat(128)),
    ),
    8,
  );
}

/**
 * 8-bit RGB (interleaved) to Rec.601 luma, the grey a JPEG stores as Y and OpenCV's
 * RGB2GRAY gives: (77 R + 150 G + 29 B + 128) >> 8, exact for grey input (R = G = B).
 */
export function rgbToLuma(rgb: usize, grey: usize, count: usize): void {
  let i: usize = 0;
  for (; i + 16 <= count; i += 16) {
    const p = rgb + i * 3;
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const r = gather(a, b, c, R0, R1, R2);
    const g = gather(a, b, c, G0, G1, G2);
    const bl = gather(a, b, c, B0, B1, B2);
    const lo = luma8(
      i16x8.extend_low_i8x16_u(r),
      i16x8.extend_low_i8x16_u(g),
      i16x8.extend_low_i8x16_u(bl),
    );
    const hi = luma8(
      i16x8.extend_high_i8x16_u(r),
      i16x8.extend_high_i8x16_u(g),
      i16x8.extend_high_i8x16_u(bl),
    );
    v128.store(grey + i, i8x16.narrow_i16x8_u(lo, hi));
  }
  for (; i < count; i++) {
    const p = rgb + i * 3;
    const y = 77 * <u32>load<u8>(p) + 150 * <u32>load<u8>(p, 1) + 29 * <u32>load<u8>(p, 2) + 128;
    store<u8>(grey + i, <u8>(y >> 8));
  }
}

function laneSum(v: v128): i64 {
  return (
    <i64>i32x4.extract_lane(v, 0) +
    <i64>i32x4.extract_lane(v, 1) +
    <i64>i32x4.extract_lane(v, 2) +
    <i64>i32x4.extract_lane(v, 3)
  );
}

export function greyStats(base: usize, width: i32, height: i32): void {
  const w = <usize>width;
  let sum: i64 = 0;
  let sumSq: i64 = 0;
  let lapSum: i64 = 0;
  let lapSq: i64 = 0;
  for (let y: i32 = 0; y < height; y++) {
    const row = base + <usize>y * w;
    for (let from: usize = 0; from < w; from += SEGMENT) {
      const end = min(w, from + SEGMENT);
      let acc = i32x4.splat(0);
      let accSq = i32x4.splat(0);
      let x = from;
      for (; x + 16 <= end; x += 16) {
        const v = v128.load(row + x);
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.add(lo, hi)));
        accSq = i32x4.add(accSq, i32x4.add(i32x4.dot_i16x8_s(lo, lo), i32x4.dot_i16x8_s(hi, hi)));
      }
      sum += laneSum(acc);
      sumSq += laneSum(accSq);
      for (; x < end; x++) {
        const v = <i64>load<u8>(row + x);
        sum += v;
        sumSq += v * v;
      }
    }
    if (y == 0 || y == height - 1 || w < 3) continue;
    const last = w - 1;
    for (let from: usize = 1; from < last; from += SEGMENT) {
      const end = min(last, from + SEGMENT);
      let acc = i32x4.splat(0);
      let accSq = i32x4.splat(0);
      let x = from;
      for (; x + 8 <= end; x += 8) {
        const p = row + x;
        const l = i16x8.sub(
          i16x8.add(
            i16x8.add(v128.load8x8_u(p - 1), v128.load8x8_u(p + 1)),
            i16x8.add(v128.load8x8_u(p - w), v128.load8x8_u(p + w)),
          ),
          i16x8.shl(v128.load8x8_u(p), 2),
        );
        acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(l));
        accSq = i32x4.add(accSq, i32x4.dot_i16x8_s(l, l));
      }
      lapSum += laneSum(acc);
      lapSq += laneSum(accSq);
      for (; x < end; x++) {
        const p = row + x;
        const l =
          <i64>load<u8>(p - 1) +
          <i64>load<u8>(p + 1) +
          <i64>load<u8>(p - w) +
          <i64>load<u8>(p + w) -
          4 * <i64>load<u8>(p);
        lapSum += l;
        lapSq += l * l;
      }
    }
  }
  const out = sumsOffset();
  store<i64>(out, sum);
  store<i64>(out, sumSq, 8);
  store<i64>(out, lapSum, 16);
  store<i64>(out, lapSq, 24);
}
