import type { ScenarioResult } from './tasks.js';

interface Sample {
  readonly at_s: number;
  readonly rss_mb: number;
  readonly heap_mb: number;
  readonly redis_used_memory_mb: number;
  readonly processed: number;
}

function range(values: readonly number[]): string {
  return values.length === 0 ? 'n/a' : `${Math.min(...values)}-${Math.max(...values)} MB`;
}

/**
 * The samples over time and a plain reading: the second half's peak against the first
 * half's. Growth past 10% plus 5 MB is called out as "growing", not judged further.
 */
export function soakVerdict(result: ScenarioResult): string {
  const samples = (result.settings.samples as Sample[] | undefined) ?? [];
  const lines = ['   t (s)  RSS MB  heap MB  Redis used_memory MB  processed'];
  for (const s of samples) {
    lines.push(
      `${String(s.at_s).padStart(8)}  ${String(s.rss_mb).padStart(6)}  ${String(s.heap_mb).padStart(7)}  ${String(s.redis_used_memory_mb).padStart(20)}  ${String(s.processed).padStart(9)}`,
    );
  }
  const half = Math.floor(samples.length / 2);
  const first = samples.slice(1, half); // the very first sample is before warm-up
  const second = samples.slice(half);
  for (const [name, pick] of [
    ['RSS', (s: Sample) => s.rss_mb],
    ['heap', (s: Sample) => s.heap_mb],
    ['Redis used_memory', (s: Sample) => s.redis_used_memory_mb],
  ] as const) {
    const a = first.map(pick);
    const b = second.map(pick);
    const grew = a.length > 0 && b.length > 0 && Math.max(...b) > Math.max(...a) * 1.1 + 5;
    lines.push(
      `${name}: first half ${range(a)}, second half ${range(b)}: ${grew ? 'GROWING' : 'flat'}`,
    );
  }
  const maxLen = result.settings.maxLen as number | undefined;
  const sources = result.settings.sources as number | undefined;
  if (maxLen !== undefined && sources !== undefined) {
    const plateauMb = Math.round((maxLen * sources * result.jpeg_bytes_mean * 1.14) / 1024 / 1024);
    lines.push(
      `Redis keeps up to maxLen ${maxLen} frames per source stream, acked or not: with ${sources} sources it levels off only near ${plateauMb} MB`,
    );
  }
  return lines.join('\n');
}
