/** A small deterministic PRNG (mulberry32); the same seed gives the same sequence on every platform. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  range(lo: number, hi: number): number;
  int(lo: number, hiInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Roughly normal with mean 0 and deviation 1 (sum of uniforms). */
  gauss(): number;
}

/** FNV-1a over the seed and index, so scene i of seed s does not depend on scenes before it. */
export function hashSeed(seed: number | string, index: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${index}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRandom(state: number): Random {
  let a = state >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    gauss: () => next() + next() + next() + next() - 2,
  };
}
