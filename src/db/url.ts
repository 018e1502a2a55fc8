import { resolve } from 'node:path';
import { DbUrlError } from './errors.js';

export const defaultDbUrl = 'pglite:.wayback/db';

export type DbTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite-memory' }
  | { readonly kind: 'pglite-dir'; readonly directory: string };

/** The URL to use: `--db`, else WAYBACK_DB, else DATABASE_URL, else the embedded default. */
export function resolveDbUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  // A --db given but empty is a mistake (an unset "$VAR"), not a request for the default.
  if (flag !== undefined && flag.trim() === '') throw new DbUrlError(flag);
  for (const candidate of [flag, env['WAYBACK_DB'], env['DATABASE_URL']]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate.trim();
  }
  return defaultDbUrl;
}

export function parseDbUrl(url: string, cwd: string = process.cwd()): DbTarget {
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new DbUrlError(redactUrl(url));
    }
    return { kind: 'postgres', url };
  }
  if (url.startsWith('pglite:')) {
    const rest = url.slice('pglite:'.length);
    if (rest === 'memory' || rest === 'memory://') return { kind: 'pglite-memory' };
    if (rest.trim() === '') throw new DbUrlError(redactUrl(url));
    return { kind: 'pglite-dir', directory: resolve(cwd, rest.startsWith('//') ? rest.slice(2) : rest) };
  }
  throw new DbUrlError(redactUrl(url));
}

/**
 * The URL with any password replaced, for messages and output: in the user part, or as a `password`
 * query parameter (libpq accepts both). A URL that does not parse still has its user part redacted,
 * because it is about to be echoed in an error message.
 */
export function redactUrl(url: string): string {
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      const parsed = new URL(url);
      if (parsed.password !== '') parsed.password = '***';
      if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
      return parsed.toString();
    } catch {
      // Falls through to the textual redaction below.
    }
  }
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/i, '$1***');
}
