// docs/cli.md, generated from the commander definitions in src/cli/: `npm run docs:cli` writes it, and
// test/docs/cli-reference.test.ts renders it again and fails when the file differs. Each command's
// section is its --help exactly as a terminal 80 columns wide shows it, so the reference cannot say
// anything the command does not.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { ExitCode } from '../src/cli/exit-code.js';
import { buildProgram } from '../src/cli/main.js';

export const cliReferencePath = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'docs', 'cli.md');

/** What each exit code means (DESIGN.md's CLI contract); a new code without a line here stops the script. */
const meaning: Record<keyof typeof ExitCode, string> = {
  ok: 'done; no conflicts left',
  error: 'error: nothing changed; the message is on stderr (with `--json`, also on stdout)',
  usage: 'usage: the command line is wrong (an unknown option, a bad time, a missing argument)',
  conflicts: 'done, with conflicts left in place; in `--mode strict`, nothing was applied',
};

/** A command's help as `wayback <command> --help` prints it on a terminal 80 columns wide, without colour. */
function helpOf(command: Command): string {
  let text = '';
  const saved = command.configureOutput();
  command.configureOutput({ writeOut: (chunk) => (text += chunk), getOutHelpWidth: () => 80, getOutHasColors: () => false });
  try {
    command.outputHelp();
  } finally {
    command.configureOutput(saved);
  }
  return text.trimEnd();
}

export function renderCliReference(): string {
  const program = buildProgram();
  const commands = program.commands.filter((command) => command.name() !== 'help') as unknown as Command[];
  const codes = (Object.entries(ExitCode) as [keyof typeof ExitCode, number][]).sort(([, a], [, b]) => a - b);
  const lines = [
    '# wayback command line reference',
    '',
    '<!-- Generated from the command definitions in src/cli/ by `npm run docs:cli`; do not edit by hand.',
    '     test/docs/cli-reference.test.ts fails when this file is stale. -->',
    '',
    'Each section below is the command\'s `--help`, exactly. What every command shares:',
    '',
    '- **Database**: `--db <url>`; else `$WAYBACK_DB`; else `$DATABASE_URL`; else the embedded database in',
    '  `pglite:.wayback/db`. A URL is `postgres://…` (a server), `pglite:<dir>` (embedded, on disk) or',
    '  `pglite:memory`.',
    '- **Output**: human text on stdout; errors, warnings and progress on stderr. With `--json`, exactly one',
    '  JSON document on stdout, a failure included (`{"error": {"code": …, "message": …}}`). Progress is',
    '  drawn only on a terminal and never with `--json`; colour only when stdout is a terminal, never with',
    '  `NO_COLOR`.',
    '- **Errors**: one line, `error: ` then what is wrong and what to do next. `--debug` adds the stack of an',
    '  internal error.',
    '- **Exit codes**:',
    '',
    '  | code | meaning |',
    '  |---|---|',
    ...codes.map(([name, code]) => `  | ${code} | ${meaning[name]} |`),
    '',
    '## Commands',
    '',
    ...commands.map((command) => `- [\`wayback ${command.name()}\`](#wayback-${command.name()}) — ${command.description()}`),
    '',
    '## wayback',
    '',
    '```text',
    helpOf(program),
    '```',
  ];
  for (const command of commands) lines.push('', `## wayback ${command.name()}`, '', '```text', helpOf(command), '```');
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(cliReferencePath, renderCliReference());
  console.log(`wrote ${cliReferencePath}`);
}
