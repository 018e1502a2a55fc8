// Reads a migration file with PostgreSQL's own parser (libpg-query, compiled to WASM), and keeps what
// lint needs from it: each statement with its lines, and each comment with its line.
import { loadModule, parseSync, scanSync, type Node } from 'libpg-query';

export interface Statement {
  readonly node: Node;
  /** 1-based line of the statement's first token. */
  readonly line: number;
  /** 1-based line of its last character (before the semicolon). */
  readonly endLine: number;
}

export interface Comment {
  readonly text: string;
  readonly line: number;
}

export type ParsedFile =
  | {
      readonly ok: true;
      readonly statements: readonly Statement[];
      readonly comments: readonly Comment[];
      /** Lines that hold some of a statement's tokens (not only comments). */
      readonly codeLines: ReadonlySet<number>;
      /** The 1-based line of a byte offset in the file (the parser's locations are byte offsets). */
      readonly lineAt: (byteOffset: number) => number;
    }
  | { readonly ok: false; readonly line: number; readonly message: string };

let loaded: Promise<void> | undefined;

/** Loads the parser's WASM module once; every parse waits for it. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Parses a file's SQL. A file PostgreSQL would refuse is a result with the line, never an exception. */
export async function parseFile(text: string): Promise<ParsedFile> {
  await loadParser();
  let stmts;
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return { ok: false, line: cursor === undefined ? 1 : lineOfCharacter(text, cursor), message };
  }
  const bytes = Buffer.from(text, 'utf8');
  const newlines: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) newlines.push(i);
  const lineAt = (offset: number): number => {
    // The number of newlines before the offset, by binary search.
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((newlines[mid] ?? 0) < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
  const statements = stmts.flatMap((raw): Statement[] => {
    if (raw.stmt === undefined) return [];
    // The JSON leaves out a zero: the first statement has no stmt_location; the last one without a
    // semicolon has no stmt_len (it runs to the end of the text).
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? bytes.length : start + raw.stmt_len;
    return [{ node: raw.stmt, line: lineAt(start), endLine: lineAt(Math.max(start, trimEnd(bytes, end) - 1)) }];
  });
  const comments: Comment[] = [];
  const codeLines = new Set<number>();
  for (const token of scanSync(text).tokens ?? []) {
    if (token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT') {
      comments.push({ text: token.text, line: lineAt(token.start) });
    } else {
      for (let line = lineAt(token.start); line <= lineAt(Math.max(token.start, token.end - 1)); line++) codeLines.add(line);
    }
  }
  return { ok: true, statements, comments, codeLines, lineAt };
}

/** The offset just past the last non-space byte before `end`. */
function trimEnd(bytes: Buffer, end: number): number {
  let i = end;
  while (i > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[i - 1] ?? 0)) i--;
  return i;
}

/** The parser reports a syntax error's place as a 0-based count of characters (code points). */
function lineOfCharacter(text: string, cursor: number): number {
  let line = 1;
  let seen = 0;
  for (const char of text) {
    if (seen++ >= cursor) break;
    if (char === '\n') line++;
  }
  return line;
}
