import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DbLockedError } from './errors.js';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** A recovery that has not finished in this long was abandoned by a dead process. */
const abandonedRecoveryMs = 10_000;

/**
 * An exclusive lock file beside a PGlite directory. PGlite itself takes no lock, and two processes
 * that open one directory silently lose committed writes, so wayback refuses the second opener.
 */
export class LockFile {
  private released = false;

  private constructor(readonly path: string) {}

  /** Takes the lock, recovering it from a dead holder on this host; throws DbLockedError if it is held. */
  static acquire(path: string, directory: string): LockFile {
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(path)) {
        const lock = new LockFile(path);
        process.once('exit', lock.releaseSync);
        return lock;
      }
      const owner = readOwner(path);
      if (owner !== undefined && isAlive(owner)) throw new DbLockedError(directory, owner.pid, owner.host);
      recoverStale(path, owner);
    }
    const owner = readOwner(path);
    throw new DbLockedError(directory, owner?.pid ?? -1, owner?.host ?? 'an unknown host');
  }

  readonly releaseSync = (): void => {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.releaseSync);
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

/** Writes the owner to a private file, then links it into place: the lock never exists half-written. */
function tryCreate(path: string): boolean {
  const draft = `${path}.${process.pid}.draft`;
  writeFileSync(draft, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host };
  } catch {
    // Unreadable: not written by wayback, so treated as stale (under the recovery guard).
  }
  return undefined;
}

function isAlive(owner: LockOwner): boolean {
  // A lock taken on another host (a shared disk) cannot be checked from here: assume it is held.
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock whose holder is dead. Two processes may find the same stale lock at once, so the
 * removal happens under a guard directory (mkdir is atomic) and only after re-reading the lock: the
 * other process may already have replaced it with a live one.
 */
function recoverStale(path: string, seen: LockOwner | undefined): void {
  const guard = `${path}.recovering`;
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    removeAbandonedGuard(guard);
    return;
  }
  try {
    const now = readOwner(path);
    const unchanged = now?.pid === seen?.pid && now?.host === seen?.host;
    if (unchanged && (now === undefined || !isAlive(now))) {
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it: the next attempt will find out who holds it now.
      }
    }
  } finally {
    rmdirSync(guard);
  }
}

function removeAbandonedGuard(guard: string): void {
  try {
    if (Date.now() - statSync(guard).mtimeMs > abandonedRecoveryMs) rmdirSync(guard);
  } catch {
    // Gone already.
  }
}
