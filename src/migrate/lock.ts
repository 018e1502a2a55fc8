import { setTimeout as sleep } from 'node:timers/promises';
import { sqlFile, type Queryable, type Session } from '../db/index.js';
import { MigrationLockedError } from './errors.js';

/** The advisory lock key every wayback migration runner takes ("wayb" in ASCII, below 2^31). */
export const migrationLockKey = 0x77617962;

export interface LockOptions {
  /** How long to wait for another runner before giving up; default 60 s. */
  readonly waitMs?: number;
  /** Called once, when the lock is taken by someone else and this runner starts waiting. */
  readonly onWait?: (holder: string) => void;
}

/**
 * Runs `work` holding the migration lock (a session-level advisory lock on a fixed key), so two runners
 * never interleave. Waits for a runner that holds it, up to `waitMs`, naming it once through `onWait`,
 * then refuses. On PGlite the lock file already keeps other processes out; the lock costs nothing there.
 */
export async function withMigrationLock<T>(session: Session, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 60_000;
  const started = Date.now();
  let holder: string | undefined;
  for (;;) {
    const { rows } = await session.query<{ locked: boolean }>(sqlFile(import.meta.url, 'sql/lock-try.sql'), [migrationLockKey]);
    if (rows[0]?.locked === true) break;
    if (holder === undefined) {
      holder = await lockHolder(session);
      options.onWait?.(holder);
    }
    if (Date.now() - started >= waitMs) throw new MigrationLockedError(await lockHolder(session), Date.now() - started);
    await sleep(200);
  }
  try {
    return await work();
  } finally {
    await session.query(sqlFile(import.meta.url, 'sql/unlock.sql'), [migrationLockKey]);
  }
}

async function lockHolder(session: Queryable): Promise<string> {
  const { rows } = await session.query<{ pid: number; application_name: string; client: string | null }>(
    sqlFile(import.meta.url, 'sql/lock-holder.sql'),
    [migrationLockKey],
  );
  const row = rows[0];
  return row === undefined ? 'a session that just let go' : `pid ${row.pid}, ${row.application_name}${row.client === null ? '' : ` from ${row.client}`}`;
}
