import { openDb } from './open.js';
import { quoteIdent } from './quote.js';

/** A database made on a server for a while: its URL, and `drop` to remove it with whatever is connected. */
export interface TemporaryDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** The same server URL naming another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** CREATE DATABASE `name` (from `template`, if given) on the server `adminUrl` reaches. */
export async function createTemporaryDatabase(adminUrl: string, name: string, options: { template?: string } = {}): Promise<TemporaryDatabase> {
  await onAdmin(adminUrl, (admin) =>
    admin.query(`create database ${quoteIdent(name)}${options.template === undefined ? '' : ` template ${quoteIdent(options.template)}`}`),
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => onAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${quoteIdent(name)} with (force)`)).then(() => undefined),
  };
}

async function onAdmin<T>(adminUrl: string, work: (admin: Awaited<ReturnType<typeof openDb>>) => Promise<T>): Promise<T> {
  const admin = await openDb(adminUrl);
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}
