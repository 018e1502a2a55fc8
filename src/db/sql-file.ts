import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/**
 * Reads a .sql file relative to the calling module, once. Call it as `sqlFile(import.meta.url, 'sql/x.sql')`:
 * the same call works from src/ (tsx) and from dist/, where the build copies the .sql files.
 */
export function sqlFile(moduleUrl: string, relativePath: string): string {
  const url = new URL(relativePath, moduleUrl);
  let text = cache.get(url.href);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    cache.set(url.href, text);
  }
  return text;
}
