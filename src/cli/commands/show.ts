import { Option } from '@commander-js/extra-typings';
import { showChangeset, type ChangesetDetail } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';

export const showCommand = command('show', 'show what one change set wrote: per table, columns and sample diffs', 'wayback show tx:4817')
  .argument('<changeset>', 'change set id, as "wayback changesets" lists it')
  .addOption(new Option('--samples <n>', 'sample entries per table').default('3'))
  .action((id, options) => {
    const samples = Number(options.samples);
    if (!Number.isInteger(samples) || samples < 0) throw new UsageError(`--samples must be a whole number, not "${options.samples}"`);
    return withDb(options, async (db, out) => {
      const detail = await showChangeset(db, id, samples);
      out.result(detail, () => describe(detail));
    });
  });

function describe(c: ChangesetDetail): string[] {
  const lines = [
    `change set ${c.id}`,
    `  feature ${c.feature ?? '-'}   app ${c.app ?? '-'}   role ${c.role}   txid ${c.txids.join(', ')}`,
    `  wrote from ${c.firstAt} to ${c.lastAt}`,
  ];
  for (const [name, t] of Object.entries(c.detail)) {
    lines.push('', `${name}: ${t.inserted} inserted, ${t.updated} updated, ${t.deleted} deleted`);
    lines.push(`  columns: ${t.columns.join(', ')}`);
    for (const s of t.samples) lines.push(`  ${s.op} ${JSON.stringify(s.pk)} ${sample(s.before, s.after)}`);
  }
  lines.push('', `undo it: wayback revert --changeset ${c.id} --dry-run`);
  return lines;
}

function sample(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  const keys = Object.keys(before ?? after ?? {});
  const text = keys
    .map((key) => {
      const from = before === null ? '' : short(before[key]);
      const to = after === null ? '' : short(after[key]);
      return before === null ? `${key}=${to}` : after === null ? `${key}=${from}` : `${key}: ${from} → ${to}`;
    })
    .join('; ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
