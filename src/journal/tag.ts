import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db/index.js';

export interface ChangesetInfo {
  /** The change set id; by default `<kind>:<feature>:<time>-<random>`. */
  readonly id?: string;
  readonly feature?: string;
  /** What kind of run this is: job, request, migration, revert… */
  readonly kind?: string;
  /** Who or what started it: a user id, a job name. */
  readonly actor?: string;
}

/** `<kind>:<feature>:<UTC time to the second>-<random>`, e.g. `job:mapping:20261120T170512Z-3fa9c1`. */
export function newChangesetId(info: ChangesetInfo, now: Date = new Date()): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const parts = [info.kind ?? 'changeset', info.feature, time].filter((part) => part !== undefined);
  return `${parts.join(':')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Tags the open transaction with a change set, exactly as any other client would with
 * `SET LOCAL wayback.changeset = …` (the tagging protocol). Returns the change set id.
 */
export async function tagTransaction(tx: Queryable, info: ChangesetInfo): Promise<string> {
  const id = info.id ?? newChangesetId(info);
  await tx.query(
    `select set_config('wayback.changeset', $1, true), set_config('wayback.feature', $2, true),
            set_config('wayback.kind', $3, true), set_config('wayback.actor', $4, true)`,
    [id, info.feature ?? '', info.kind ?? '', info.actor ?? ''],
  );
  return id;
}

/** Runs `fn` in one transaction tagged as a change set; every tracked write in it is journaled under that id. */
export async function inChangeset<T>(
  db: Db,
  info: ChangesetInfo,
  fn: (tx: Queryable, changeset: { readonly id: string }) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const id = await tagTransaction(tx, info);
    return fn(tx, { id });
  });
}
