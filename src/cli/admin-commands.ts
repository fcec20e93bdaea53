import type { Command } from 'commander';
import { formatEvalReport, runPlateEval, type EvalReport } from '../plates/eval/run-eval.js';
import { ConfigError } from '../shared/errors.js';
import { createBarLine } from './bar-line.js';
import type { CliContext } from './cli-context.js';
import { registerDlqCommands } from './dlq-commands.js';
import { positiveInt } from './option-values.js';

/** plates eval and dlq list|redrive|purge: tools for operators. */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const plates = program.command('plates').description('license-plate reader tools');
  plates
    .command('eval')
    .description(
      'read every image of a labelled folder and print exact-match and character accuracy',
    )
    .requiredOption('--images <dir>', 'folder of images (whole scenes or plate crops)')
    .requiredOption('--truth <csv>', 'CSV rows file,plate[,x,y,w,h]')
    .option('--limit <n>', 'only the first n images', positiveInt('--limit'))
    .option(
      '--no-second-look',
      'no second, larger look at unsure images (what worker.plateSecondLook false reads)',
    )
    .action(
      async (opts: { images: string; truth: string; limit?: number; secondLook: boolean }) => {
        const bar = createBarLine(process.stderr);
        let report: EvalReport;
        try {
          report = await runPlateEval({
            images: opts.images,
            truth: opts.truth,
            secondLook: opts.secondLook,
            ...(opts.limit === undefined ? {} : { limit: opts.limit }),
            onProgress: ({ done, total, skipped }) => {
              if (skipped !== undefined) {
                bar.note(`framepipe: skipped ${skipped.id}: ${skipped.reason}`);
              }
              bar.update(done, total);
            },
          });
        } finally {
          bar.end();
        }
        process.stdout.write(`${formatEvalReport(report)}\n`);
        if (report.samples.length === 0) {
          // An empty table is not a result: the folder and the CSV do not match.
          throw new ConfigError(
            `no image of --truth ${opts.truth} could be read from --images ${opts.images} (${report.skipped?.length ?? 0} skipped)`,
          );
        }
      },
    );

  registerDlqCommands(program, ctx);
}
