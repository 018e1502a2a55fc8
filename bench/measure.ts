import { performance } from 'node:perf_hooks';
import { openDb } from '../src/db/index.js';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export interface Variant {
  readonly name: string;
  /** Untimed: brings the variant back to its starting state. */
  readonly reset: () => Promise<void>;
  /** Timed. */
  readonly run: () => Promise<void>;
}

/**
 * Runs the variants in turn, `rounds` times (A B C, A B C, …), so drift on a shared machine hits every
 * variant alike; returns each variant's median seconds.
 */
export async function alternate(variants: readonly Variant[], rounds: number, log: (line: string) => void): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      await variant.reset();
      const start = performance.now();
      await variant.run();
      const seconds = (performance.now() - start) / 1000;
      times.get(variant.name)?.push(seconds);
      log(`  round ${round}/${rounds} ${variant.name}: ${seconds.toFixed(3)} s`);
    }
  }
  return new Map([...times].map(([name, values]) => [name, median(values)]));
}

/** The server's `server_version`, for the results' header. */
export async function serverVersion(url: string): Promise<string> {
  const db = await openDb(url);
  try {
    return (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? 'unknown';
  } finally {
    await db.close();
  }
}
