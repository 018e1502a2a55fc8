/**
 * Quotes an identifier the way PostgreSQL's quote_ident does, always: the only place in TypeScript
 * that puts a name into SQL text. Everything else passes names as parameters.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new TypeError('an identifier cannot be empty');
  if (name.includes('\0')) throw new TypeError('an identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table`, each part quoted. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
