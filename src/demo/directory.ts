import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoDirectoryNotADirectoryError, DemoDirectoryNotEmptyError } from './errors.js';

export interface DemoDirectory {
  /** The PGlite data directory. */
  readonly dataDir: string;
  /** Whether it stays after the demo (--keep). */
  readonly kept: boolean;
  /** Removes a temporary directory; leaves a kept one alone. */
  remove(): void;
}

/**
 * Where the demo's database lives: the directory `keep` names, which must be new or empty (the demo
 * never writes over someone's files), or a temporary directory that `remove` deletes.
 */
export function demoDirectory(keep: string | undefined): DemoDirectory {
  if (keep !== undefined) {
    const found = statSync(keep, { throwIfNoEntry: false });
    if (found !== undefined && !found.isDirectory()) throw new DemoDirectoryNotADirectoryError(keep);
    if (found !== undefined && readdirSync(keep).length > 0) throw new DemoDirectoryNotEmptyError(keep);
    return { dataDir: keep, kept: true, remove: () => undefined };
  }
  const temporary = mkdtempSync(join(tmpdir(), 'wayback-demo-'));
  return {
    dataDir: join(temporary, 'db'),
    kept: false,
    remove: () => rmSync(temporary, { recursive: true, force: true }),
  };
}
