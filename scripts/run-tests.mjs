#!/usr/bin/env node
// Node 20's --test takes no globs: find the test files and hand them to node:test with tsx.
// Usage: node scripts/run-tests.mjs [unit|integration|faults ...] [--concurrency N]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const concurrencyFlag = args.indexOf('--concurrency');
const concurrency = concurrencyFlag >= 0 ? args.splice(concurrencyFlag, 2)[1] : '2';
const suites = args.length > 0 ? args : ['unit', 'integration', 'faults'];

function walk(dir) {
  let out = [];
  let names = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      out = out.concat(walk(full));
    } else if (name.endsWith('.test.ts')) {
      out.push(full);
    }
  }
  return out;
}

const files = suites.flatMap((s) => walk(join('test', s)));
if (files.length === 0) {
  console.error(`no test files under ${suites.map((s) => `test/${s}`).join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hanging test fails after 5 minutes instead of stalling CI; a file whose tests are done
    // exits even if a client left a handle open.
    '--test-timeout=300000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
