import { installSchema } from '../../journal/index.js';
import { command, withDb } from '../command.js';

export const initCommand = command('init', 'install or upgrade the wayback schema (idempotent)', 'wayback init --db postgres://localhost/app')
  .action((options) =>
    withDb(options, async (db, out) => {
      const result = await installSchema(db);
      out.result({ url: db.url, applied: result.applied, version: result.version }, () => [
        result.applied.length === 0
          ? `wayback schema already up to date (step ${result.version}) in ${db.url}`
          : `wayback schema installed in ${db.url}: ${result.applied.join(', ')} (now at step ${result.version})`,
        ...(result.applied.length === 0 ? [] : ['next: wayback track <table…>   (or: wayback track --all)']),
      ]);
    }),
  );
