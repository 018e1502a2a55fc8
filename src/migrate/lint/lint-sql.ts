import { readAllows } from './allows.js';
import type { Finding } from './finding.js';
import { KnownSchema } from './known-schema.js';
import { parseFile } from './parse-file.js';
import { rules } from './rules/index.js';

/**
 * Lints one migration's SQL. `file` only labels the findings. `schema` carries what earlier migrations
 * of the folder created (lintFolder passes one along); it is updated with this file's statements.
 * Findings come in line order; a file PostgreSQL cannot parse gives one `parse-error` finding and no
 * other. It never touches a database.
 */
export async function lintSql(text: string, file: string, schema: KnownSchema = new KnownSchema()): Promise<Finding[]> {
  const parsed = await parseFile(text);
  if (!parsed.ok) {
    return [
      {
        file,
        line: parsed.line,
        rule: 'parse-error',
        message: `PostgreSQL cannot parse ${file}: ${parsed.message}`,
        fix: 'fix the SQL; lint checks nothing else in a file it cannot parse',
      },
    ];
  }
  schema.startFile();
  const allows = readAllows(file, parsed.comments, parsed.statements, parsed.codeLines);
  const findings: Finding[] = [...allows.unknown];
  let lockTimeoutReported = false;
  for (const statement of parsed.statements) {
    const context = { schema, line: (location: number | undefined) => (location === undefined ? statement.line : parsed.lineAt(location)) };
    for (const rule of rules) {
      if (rule.id === 'missing-lock-timeout' && lockTimeoutReported) continue;
      const hits = rule.check(statement, context);
      if (hits.length === 0 || allows.allows(rule.id, statement)) continue;
      // One missing lock_timeout is one fix, at the top of the file: say it once, at the first statement that needs it.
      if (rule.id === 'missing-lock-timeout') lockTimeoutReported = true;
      findings.push(...hits.map((hit) => ({ file, line: hit.line, rule: rule.id, message: hit.message, fix: hit.fix })));
    }
    schema.apply(statement.node);
  }
  return findings.sort((a, b) => a.line - b.line);
}
