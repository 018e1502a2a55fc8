import { Option } from '@commander-js/extra-typings';
import { showChangeset, type ChangesetDetail } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';
import { cut } from '../fit.js';

export const showCommand = command('show', 'show what one change set wrote: per table, columns and sample diffs', [
  'wayback show tx:4817',
  'wayback show job:mapping:20261120T170512Z-3fa9c1 --samples 10',
])
  .argument('<changeset>', 'change set id, as "wayback changesets" lists it')
  .addOption(new Option('--samples <n>', 'sample entries per table').default('3', '3'))
  .action((id, options) => {
    const samples = Number(options.samples);
    if (!Number.isInteger(samples) || samples < 0) throw new UsageError(`--samples must be a whole number, not "${options.samples}"`);
    return withDb(options, async (db, out) => {
      const detail = await showChangeset(db, id, samples);
      out.result(detail, () => describe(detail));
    });
  });

/** Human output fits 80 columns; only a change set id, which is never shortened, may run past. */
const width = 80;

export function describe(c: ChangesetDetail): string[] {
  const lines = [
    `change set ${c.id}`,
    cut(`  feature ${c.feature ?? '-'}   app ${c.app ?? '-'}   role ${c.role}   txid ${c.txids.join(', ')}`, width),
    `  wrote from ${c.firstAt} to ${c.lastAt}`,
  ];
  for (const [name, t] of Object.entries(c.detail)) {
    lines.push('', `${name}: ${t.inserted} inserted, ${t.updated} updated, ${t.deleted} deleted`);
    lines.push(cut(`  columns: ${t.columns.join(', ')}`, width));
    for (const s of t.samples) {
      const head = `  ${s.op} ${JSON.stringify(s.pk)} `;
      lines.push(`${head}${sample(s.before, s.after, width - [...head].length)}`);
    }
  }
  lines.push('', `undo it: wayback revert --changeset ${c.id} --dry-run`);
  return lines;
}

function sample(before: Record<string, unknown> | null, after: Record<string, unknown> | null, room: number): string {
  const keys = Object.keys(before ?? after ?? {});
  const text = keys
    .map((key) => {
      const from = before === null ? '' : short(before[key]);
      const to = after === null ? '' : short(after[key]);
      return before === null ? `${key}=${to}` : after === null ? `${key}=${from}` : `${key}: ${from} → ${to}`;
    })
    .join('; ');
  return cut(text, room);
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
