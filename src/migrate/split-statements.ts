/** One statement of a SQL file, with the line it starts on (1-based), for error reports. */
export interface Statement {
  readonly text: string;
  readonly line: number;
}

/**
 * Splits a SQL file into its statements at top-level semicolons. Knows quoted strings (with '' and E''
 * escapes), quoted identifiers, dollar quotes, nested block comments, line comments and SQL-standard
 * `BEGIN ATOMIC … END` bodies. A statement that is only comments is dropped. It never rewrites a
 * statement: each is sent exactly as written.
 */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  let i = 0;
  let atomic = 0;
  let previousWord = '';
  const push = (end: number) => {
    const text = sql.slice(start, end);
    const code = stripComments(text).trim();
    if (code !== '') {
      const first = firstCodeOffset(sql, start, end);
      statements.push({ text: sql.slice(first, end).trimEnd(), line: lineAt(sql, first) });
    }
    start = end + 1;
  };
  while (i < sql.length) {
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      const escapes = /[eE]$/.test(sql.slice(Math.max(0, i - 1), i)) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < sql.length) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      i = end === -1 ? sql.length : end + 1;
      while (sql[i] === '"') {
        const again = sql.indexOf('"', i + 1);
        i = again === -1 ? sql.length : again + 1;
      }
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag === undefined) i++;
      else {
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? sql.length : end + tag.length;
      }
    } else if (/[A-Za-z_]/.test(c) && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const word = (/^[A-Za-z_][\w$]*/.exec(sql.slice(i))?.[0] ?? c).toLowerCase();
      // A BEGIN ATOMIC body holds statements of its own; CASE … END nests inside it.
      if (word === 'atomic' && previousWord === 'begin') atomic++;
      else if (atomic > 0 && word === 'case') atomic++;
      else if (atomic > 0 && word === 'end') atomic--;
      previousWord = word;
      i += word.length;
    } else if (c === ';' && atomic === 0) {
      push(i);
      i++;
    } else i++;
  }
  push(sql.length);
  return statements;
}

/** The statement's text without its comments, to recognise what kind of statement it is. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function firstCodeOffset(sql: string, start: number, end: number): number {
  const text = sql.slice(start, end);
  const match = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(text);
  return start + (match?.[0].length ?? 0);
}

function lineAt(sql: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < sql.length; i++) if (sql[i] === '\n') line++;
  return line;
}
