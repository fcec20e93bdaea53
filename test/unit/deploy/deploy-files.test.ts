import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerAdminCommands } from '../../../src/cli/admin-commands.js';
import { createCliContext } from '../../../src/cli/cli-context.js';
import { registerPipelineCommands } from '../../../src/cli/pipeline-commands.js';
import { registerServiceCommands } from '../../../src/cli/service-commands.js';
import { registerStreamGauges } from '../../../src/app/stream-gauges.js';
import { createMetrics } from '../../../src/shared/metrics.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const read = (path: string) => readFile(new URL(path, `file://${REPO_ROOT}`), 'utf8');

/** Every series name framepipe exports, with the suffixes histograms add. */
async function exportedSeries(): Promise<Set<string>> {
  const registry = new Registry();
  createMetrics(registry, { defaultMetrics: true });
  registerStreamGauges(registry, {
    redis: {} as never,
    prefix: 'p',
    group: 'g',
    sources: () => [],
  });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) {
        names.add(metric.name + suffix);
      }
    }
  }
  return names;
}

function referencedMetrics(text: string): string[] {
  return [...new Set(text.match(/framepipe_[a-z0-9_]+/g) ?? [])];
}

/** The CLI's command tree, built as src/cli.ts builds it (nothing runs). */
function cliProgram(): Command {
  const program = new Command('framepipe');
  const ctx = createCliContext({}, () => new AbortController().signal);
  registerPipelineCommands(program, ctx);
  registerServiceCommands(program, ctx);
  registerAdminCommands(program, ctx);
  return program;
}

/** Pure: the flags of `args` the command they name does not know (empty: all known). */
function unknownFlags(program: Command, args: readonly string[]): string[] {
  let cmd = program;
  const known = new Set<string>();
  for (const arg of args) {
    const sub = arg.startsWith('-') ? undefined : cmd.commands.find((c) => c.name() === arg);
    if (sub !== undefined) {
      cmd = sub;
      cmd.options.forEach((o) => known.add(o.long ?? ''));
    }
  }
  return args.filter((a) => a.startsWith('--') && !known.has(a.split('=')[0]!));
}

/** framepipe's argument vectors in the compose file and the Kubernetes manifests. */
async function deployedArgs(
  commands: readonly string[],
): Promise<{ file: string; args: string[] }[]> {
  const out: { file: string; args: string[] }[] = [];
  const compose = parseAllDocuments(await read('deploy/docker-compose.yml'))[0]?.toJS() as {
    services: Record<string, { command?: string[] }>;
  };
  for (const [name, service] of Object.entries(compose.services)) {
    // The framepipe services: their command starts with one of its commands (not redis-server).
    if (service.command !== undefined && commands.includes(service.command[0] ?? '')) {
      out.push({ file: `deploy/docker-compose.yml ${name}`, args: service.command });
    }
  }
  const files = (await readdir(new URL('deploy/k8s/', `file://${REPO_ROOT}`))).map(
    (f) => `deploy/k8s/${f}`,
  );
  for (const file of files) {
    for (const doc of parseAllDocuments(await read(file))) {
      const containers =
        (
          doc.toJS() as {
            spec?: { template?: { spec?: { containers?: { image?: string; args?: string[] }[] } } };
          } | null
        )?.spec?.template?.spec?.containers ?? [];
      for (const c of containers) {
        if (c.image?.startsWith('framepipe') === true && c.args !== undefined) {
          out.push({ file, args: c.args });
        }
      }
    }
  }
  return out;
}

describe('deploy/', () => {
  it('every framepipe command in the compose file and the manifests uses only flags it has', async () => {
    const program = cliProgram();
    const deployed = await deployedArgs(program.commands.map((c) => c.name()));
    assert.ok(deployed.length >= 8, `command lines found: ${deployed.length}`);
    for (const { file, args } of deployed) {
      assert.deepEqual(unknownFlags(program, args), [], `${file}: ${args.join(' ')}`);
    }
    assert.deepEqual(unknownFlags(program, ['api', '--host', '0.0.0.0']), ['--host']);
  });

  it('the Grafana dashboard parses and uses only metrics framepipe exports', async () => {
    const dashboard = JSON.parse(await read('deploy/grafana/framepipe.json')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(exprs.length >= 8);
    const exported = await exportedSeries();
    for (const name of referencedMetrics(exprs.join('\n'))) {
      assert.ok(exported.has(name), `dashboard uses ${name}, which framepipe does not export`);
    }
  });

  it('the alert rules use only exported metrics and pass promtool check rules', async () => {
    const rules = await read('deploy/prometheus/alerts.yml');
    const exported = await exportedSeries();
    for (const name of referencedMetrics(rules)) {
      assert.ok(exported.has(name), `alerts use ${name}, which framepipe does not export`);
    }
    const promtool = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (promtool.error !== undefined && process.env.CI === undefined) {
      // .ci/run installs promtool (Debian's prometheus package); a dev machine may not have it.
      return;
    }
    assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
  });

  it('every Kubernetes manifest and the compose file parse as YAML', async () => {
    const files = (await readdir(new URL('deploy/k8s/', `file://${REPO_ROOT}`))).map(
      (f) => `deploy/k8s/${f}`,
    );
    for (const file of [
      ...files,
      'deploy/docker-compose.yml',
      'deploy/prometheus/prometheus.yml',
    ]) {
      for (const doc of parseAllDocuments(await read(file))) {
        assert.deepEqual(doc.errors, [], file);
      }
    }
  });

  it('no framepipe pod gets Kubernetes service-link variables (FRAMEPIPE_API_PORT=tcp://...)', async () => {
    const files = (await readdir(new URL('deploy/k8s/', `file://${REPO_ROOT}`))).map(
      (f) => `deploy/k8s/${f}`,
    );
    let pods = 0;
    for (const file of files) {
      for (const doc of parseAllDocuments(await read(file))) {
        const spec = (
          doc.toJS() as {
            spec?: {
              template?: {
                spec?: { enableServiceLinks?: boolean; containers?: { image?: string }[] };
              };
            };
          } | null
        )?.spec?.template?.spec;
        if (spec?.containers?.some((c) => c.image?.startsWith('framepipe')) === true) {
          pods++;
          assert.equal(spec.enableServiceLinks, false, file);
        }
      }
    }
    assert.ok(pods >= 5, `framepipe pod templates found: ${pods}`);
  });

  it('gives the worker a termination grace period longer than its drain deadline', async () => {
    const [deployment] = parseAllDocuments(await read('deploy/k8s/worker.yaml')).map(
      (d) =>
        d.toJS() as {
          spec: { template: { spec: { terminationGracePeriodSeconds: number } } };
        },
    );
    const config = parseAllDocuments(await read('deploy/k8s/configmap.yaml'))[0]?.toJS() as {
      data: Record<string, string>;
    };
    const shutdownMs = (
      JSON.parse(config.data['config.json'] ?? '{}') as { worker: { shutdownTimeoutMs: number } }
    ).worker.shutdownTimeoutMs;
    assert.ok(deployment!.spec.template.spec.terminationGracePeriodSeconds * 1000 > shutdownMs);
  });
});
