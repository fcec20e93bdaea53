import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NODE_FLAGS } from '../../../src/shared/node-flags.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');
const SHEBANG = `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`;

describe('node flags (src/shared/node-flags.ts) at every entry point', () => {
  it('bin/framepipe.js passes them in its shebang', async () => {
    assert.equal((await read('bin/framepipe.js')).split('\n')[0], SHEBANG);
  });

  it('the Dockerfile ENTRYPOINT and npm start pass them before the script', async () => {
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(await read('Dockerfile'))?.[1];
    assert.ok(entry !== undefined, 'Dockerfile has an exec-form ENTRYPOINT');
    assert.deepEqual(JSON.parse(entry), ['node', ...NODE_FLAGS, 'bin/framepipe.js']);
    const start = (JSON.parse(await read('package.json')) as { scripts: Record<string, string> })
      .scripts.start;
    assert.ok(start?.includes(`node ${NODE_FLAGS.join(' ')} bin/framepipe.js`), start);
  });

  it('the shebang form starts node with the flags (env -S), and node accepts them', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'fp-flags-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const script = join(dir, 'probe.mjs');
    await writeFile(script, `${SHEBANG}\nconsole.log(JSON.stringify(process.execArgv));\n`);
    await chmod(script, 0o755);
    const run = spawnSync(script, { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [...NODE_FLAGS]);
  });
});
