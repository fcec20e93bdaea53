/**
 * Pure: the candidate closest to `name` (edit distance, case-insensitive), when it is close
 * enough to be the name that was meant: `worker.thredas` -> `worker.threads`.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Pure: FRAMEPIPE_* variables that start like an option of a known section (FRAMEPIPE_WORKER_...)
 * but name none, i.e. typos that would otherwise be ignored without a word. Variables of no
 * section (FRAMEPIPE_TEST_...) are not framepipe's options and are left alone, as are the
 * variables Kubernetes injects for a Service named framepipe-<x> (..._SERVICE_HOST,
 * ..._PORT_8080_TCP...).
 */
export function unknownEnvNames(
  names: readonly string[],
  known: readonly string[],
  sections: readonly string[],
): string[] {
  const knownSet = new Set(known);
  const prefixes = sections.map((s) => `FRAMEPIPE_${s.toUpperCase()}_`);
  return names.filter(
    (n) => !knownSet.has(n) && !SERVICE_LINK.test(n) && prefixes.some((p) => n.startsWith(p)),
  );
}

const SERVICE_LINK = /_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$|_PORT_\d+_(TCP|UDP|SCTP)(_[A-Z]+)?$/;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
