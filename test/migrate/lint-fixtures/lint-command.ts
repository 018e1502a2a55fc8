// Runs the `lint` command object alone, in a process of its own, as `wayback migrate lint` runs it: for
// the CLI test to exercise the command whether or not the migrate group lists it yet.
import { lintCommand } from '../../../src/cli/commands/migrate/lint.js';
import { takeOutcome } from '../../../src/cli/exit-code.js';

await lintCommand.parseAsync(process.argv.slice(2), { from: 'user' });
process.exitCode = takeOutcome();
