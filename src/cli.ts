#!/usr/bin/env node
// The only file that reads argv and env and installs signal handlers; commands live in cli/.
import { Command } from 'commander';
import { registerAdminCommands } from './cli/admin-commands.js';
import { createCliContext } from './cli/cli-context.js';
import { registerPipelineCommands } from './cli/pipeline-commands.js';
import { registerServiceCommands } from './cli/service-commands.js';
import { describeFailure, EXIT_FAILURE, EXIT_USAGE } from './cli/exit-status.js';
import { unknownHelpTopic } from './cli/help-topic.js';

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
    .showHelpAfterError()
    // Usage errors throw (inherited by every command), so they exit 2 like bad config.
    .exitOverride();
  const ctx = createCliContext(process.env, abortOnSignals);
  registerPipelineCommands(program, ctx);
  registerServiceCommands(program, ctx);
  registerAdminCommands(program, ctx);
  return program;
}

const program = main();
const topic = unknownHelpTopic(program, process.argv.slice(2));
if (topic !== undefined) {
  process.stderr.write(`framepipe: no command "${topic}" (framepipe --help lists them)\n`);
  process.exit(EXIT_USAGE);
}
program
  .parseAsync(process.argv)
  .then(() => {
    // Open handles (pools, sockets) must not keep a finished command alive.
    process.exit(process.exitCode ?? 0);
  })
  .catch((err: unknown) => {
    const failure = describeFailure(err);
    process.stderr.write(failure.text);
    process.exit(failure.exitCode);
  });
