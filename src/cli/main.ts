import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { isWaybackError } from '../errors.js';
import { changesetsCommand } from './commands/changesets.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';
import { showCommand } from './commands/show.js';
import { statusCommand } from './commands/status.js';
import { trackCommand } from './commands/track.js';
import { untrackCommand } from './commands/untrack.js';
import { UsageError } from './errors.js';
import { ExitCode, takeOutcome } from './exit-code.js';
import { revertCommand } from './commands/revert.js';
import { applyCommand } from './commands/apply.js';
import { migrateCommand } from './commands/migrate/index.js';
import { Output } from './output.js';
import { usageMessage } from './usage-message.js';


export function buildProgram(): Command {
  return new Command('wayback')
    .description('the way back, built into every feature: journal, selective revert, proven migrations')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExample:\n  wayback init && wayback track --all && wayback changesets --since 1d\n')
    .addCommand(initCommand)
    .addCommand(trackCommand)
    .addCommand(untrackCommand)
    .addCommand(statusCommand)
    .addCommand(changesetsCommand)
    .addCommand(showCommand)
    .addCommand(revertCommand)
    .addCommand(applyCommand)
    .addCommand(migrateCommand)
    .addCommand(demoCommand) as unknown as Command;
}

/** Runs the CLI and returns its exit code; the only place outcomes become exit codes. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  // A command's usage error is printed here, as one line (commander would print its suggestion on a
  // second); the command that failed is noted on the way out, for the line to name it.
  let failed: CommandUnknownOpts | undefined;
  for (const sub of program.commands) {
    sub.configureOutput({ outputError: () => undefined });
    sub.exitOverride((error) => {
      failed = sub;
      throw error;
    });
  }
  const out = new Output({ json: argv.includes('--json') });
  try {
    if (argv.length === 0) {
      // A usage exit: the help goes to stderr, so stdout stays empty for scripts.
      program.outputHelp({ error: true });
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return takeOutcome();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      if (failed === undefined) {
        // wayback's own (an unknown command): commander has printed it, with where to find the usage.
        writeJsonError(out, 'usage', error.message.replace(/^error: /, ''));
        return ExitCode.usage;
      }
      const message = usageMessage(error, failed);
      writeJsonError(out, 'usage', message);
      out.error(message);
      return ExitCode.usage;
    }
    if (error instanceof UsageError) {
      writeJsonError(out, error.code, error.message);
      out.error(error.message);
      return ExitCode.usage;
    }
    if (isWaybackError(error)) {
      writeJsonError(out, error.code, error.message);
      out.error(error.message);
      return ExitCode.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    writeJsonError(out, 'internal', `internal error: ${message.split('\n')[0] ?? ''}`);
    out.error(`internal error: ${message.split('\n')[0] ?? ''}${argv.includes('--debug') ? '' : ' (run with --debug for the stack)'}`);
    if (argv.includes('--debug') && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return ExitCode.error;
  }
}

/** With --json, a failure is still exactly one JSON document on stdout. */
function writeJsonError(out: Output, code: string, message: string): void {
  if (out.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
}
