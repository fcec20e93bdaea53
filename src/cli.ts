#!/usr/bin/env node
// The only file that reads argv and env and installs signal handlers; commands live in cli/.
import { Command } from 'commander';
import { registerAdminCommands } from './cli/admin-commands.js';
import { createCliContext } from './cli/cli-context.js';
import { registerPipelineCommands } from './cli/pipeline-commands.js';
import { registerServiceCommands } from './cli/service-commands.js';
import { ConfigError, FramepipeError } from './shared/errors.js';

const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

/** First SIGINT/SIGTERM: graceful stop. Second: exit now; peers reclaim what stays unacked. */
function abortOnSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${sig} again: exiting without draining\n`);
      process.exit(EXIT_FAILURE);
    }
    process.stderr.write(`\n${sig}: stopping gracefully (again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

function main(): Command {
  const program = new Command('framepipe')
    .description(
      'Durable Redis Streams pipeline for video frames: fast cameras, slow models, nothing lost.',
    )
    .showHelpAfterError();
  const ctx = createCliContext(process.env, abortOnSignals);
  registerPipelineCommands(program, ctx);
  registerServiceCommands(program, ctx);
  registerAdminCommands(program, ctx);
  return program;
}

main()
  .parseAsync(process.argv)
  .then(() => {
    // Open handles (pools, sockets) must not keep a finished command alive.
    process.exit(process.exitCode ?? 0);
  })
  .catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`framepipe: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    const code = err instanceof FramepipeError ? ` [${err.code}]` : '';
    process.stderr.write(`framepipe: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    if (!(err instanceof FramepipeError)) {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    }
    process.exit(EXIT_FAILURE);
  });
