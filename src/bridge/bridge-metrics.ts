import { Counter, type Registry } from 'prom-client';

/**
 * The bridge's framepipe_bridge_* metrics on the process registry. Get-or-create, so a bridge
 * and a viewer (or two bridges in one test process) can share one registry.
 */
export interface BridgeMetrics {
  readonly published: Counter<'type'>;
  readonly refused: Counter<'type'>;
  readonly skipped: Counter<'stream'>;
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) {
    return existing;
  }
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function bridgeMetrics(registry: Registry): BridgeMetrics {
  return {
    published: counter(
      registry,
      'framepipe_bridge_messages_published_total',
      'Envelopes the bridge sent (PUBLISH or key-value SET), by type',
      ['type'] as const,
    ),
    refused: counter(
      registry,
      'framepipe_bridge_messages_refused_total',
      'Envelopes larger than maxMessageBytes, refused and never sent, by type',
      ['type'] as const,
    ),
    skipped: counter(
      registry,
      'framepipe_bridge_entries_skipped_total',
      'Stream entries the bridge could not turn into an envelope (stream: results, metrics, dlq)',
      ['stream'] as const,
    ),
  };
}
