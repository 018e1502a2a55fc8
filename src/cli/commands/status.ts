import { status } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { table } from '../output.js';

export const statusCommand = command('status', 'show the tracked tables and whether capture is complete', [
  'wayback status',
  'wayback status --db postgres://localhost/app --json',
])
  .action((options) =>
    withDb(options, async (db, out) => {
      const result = await status(db);
      out.result({ url: db.url, ...result }, () => {
        // The URL gets a line of its own: a server URL alone can take most of an 80-column line.
        const lines = [db.url, `wayback schema step ${result.schemaVersion}, ${result.tables.length} tracked table(s)`];
        if (result.tables.length === 0) return [...lines, 'nothing tracked yet: wayback track <table…>'];
        lines.push(
          '',
          ...table(
            ['TABLE', 'KEY', 'PARTS', 'CAPTURE', 'SINCE'],
            result.tables.map((t) => [
              t.table,
              t.key.join(','),
              String(t.members),
              t.capturing ? 'ok' : `missing on ${t.membersWithoutCapture}`,
              t.trackedAt.slice(0, 16).replace('T', ' '),
            ]),
          ),
        );
        const broken = result.tables.filter((t) => !t.capturing);
        if (broken.length > 0) lines.push('', `repair capture with: wayback track ${broken.map((t) => t.table).join(' ')}`);
        return lines;
      });
    }),
  );
