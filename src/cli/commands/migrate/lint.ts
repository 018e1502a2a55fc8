import { Option } from '@commander-js/extra-typings';
import { lintFolder, type Finding, type LintReport } from '../../../migrate/lint/index.js';
import { command } from '../../command.js';
import { ExitCode, finishWith } from '../../exit-code.js';
import { Output } from '../../output.js';
import { wrap } from '../../fit.js';

const width = 80;

/** `wayback migrate lint`: reads the folder's *.up.sql with PostgreSQL's parser; needs no database. */
export const lintCommand = command('lint', 'find unsafe changes in migrations: long locks, rewrites, breaks for running code', [
  'wayback migrate lint                         # migrations/*.up.sql',
  'wayback migrate lint --dir db/migrations --json',
  'wayback migrate lint || exit 1               # in CI: a finding exits 1',
  'wayback migrate lint   # to accept one: -- wayback:allow <rule> above it',
])
  .addOption(new Option('--dir <folder>', 'the migrations folder').default('migrations'))
  .action(async (options) => {
    const out = new Output({ json: options.json === true });
    const report = await lintFolder(options.dir);
    out.result({ ok: report.ok, findings: report.findings }, () => describeFindings(report, out));
    // Findings are what a failed check looks like: exit 1, as `migrate verify` does for a failed migration.
    if (!report.ok) finishWith(ExitCode.error);
  });

/** The findings grouped per file, each as `file:line rule`, then why and the fix, indented, in 80 columns. */
export function describeFindings(report: LintReport, out?: Output): string[] {
  const paint = (style: 'bold' | 'yellow', text: string) => out?.paint(style, text) ?? text;
  const count = report.migrations.length;
  const read = `${count} migration${count === 1 ? '' : 's'}`;
  if (report.ok) return [`no findings in ${read}`];
  const lines: string[] = [];
  for (const finding of report.findings) {
    // Findings come sorted by file, then line: each file's together, each finding after a blank line.
    if (lines.length > 0) lines.push('');
    lines.push(...header(finding, paint), ...wrap(finding.message, '    ', '    '), ...wrap(finding.fix, '    fix: ', '         '));
  }
  const files = new Set(report.findings.map((f) => f.file)).size;
  const total = report.findings.length;
  lines.push(
    '',
    ...wrap(`${total} finding${total === 1 ? '' : 's'} in ${files} of ${read}; accept one with: -- wayback:allow <rule>`, '', ''),
  );
  return lines;
}

function header(finding: Finding, paint: (style: 'bold' | 'yellow', text: string) => string): string[] {
  const place = `${finding.file}:${finding.line}`;
  // A path too long for one line with its rule puts the rule on a line of its own.
  if (place.length + 1 + finding.rule.length <= width) return [`${paint('bold', place)} ${paint('yellow', finding.rule)}`];
  return [...wrap(place, '', '').map((line) => paint('bold', line)), `  ${paint('yellow', finding.rule)}`];
}
