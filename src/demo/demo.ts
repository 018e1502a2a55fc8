import { openDb } from '../db/index.js';
import type { RevertResult } from '../revert/index.js';
import { demoDirectory } from './directory.js';
import { runFridayJob } from './friday.js';
import type { Changes } from './moments.js';
import { silentNarrator, type Narrator } from './narrator.js';
import type { Proof, RevertFacts } from './proofs.js';
import { buildProduct } from './setup.js';
import { count, type Story } from './story.js';
import { findAndRevert } from './sunday.js';
import { revertTheRevert } from './undo.js';
import { runWeekend } from './weekend.js';

export interface DemoOptions {
  /** Keep the database in this directory (new or empty); without it, a temporary one is removed at the end. */
  readonly keep?: string;
  readonly narrator?: Narrator;
}

type Part = 'open' | 'monday' | 'friday' | 'weekend' | 'sunday' | 'undo';

/** Everything the demo did and proved: what `wayback demo --json` prints. */
export interface DemoResult {
  readonly kind: 'demo-result';
  /** Whether every proof held. */
  readonly ok: boolean;
  /** `pglite:<dir>` of the kept database, or null when it was temporary. */
  readonly db: string | null;
  /** Rows per table before the job. */
  readonly seeded: Readonly<Record<string, number>>;
  readonly job: { readonly changeset: string; readonly app: string | null; readonly since: string; readonly changes: Changes };
  readonly weekend: { readonly changes: Changes };
  readonly reverts: { readonly dryRun: RevertResult; readonly revert: RevertResult; readonly undo: RevertResult; readonly redo: RevertResult };
  readonly facts: RevertFacts;
  readonly proofs: readonly Proof[];
  /** Milliseconds per part of the story, and in all. */
  readonly timings: Readonly<Record<Part | 'total', number>>;
}

/**
 * The whole way back for data, on a fresh embedded database of its own: a product, a buggy untagged
 * job, a weekend of other writes, Sunday's revert of exactly the job, and proofs computed from the
 * data. A failed proof is reported in the result (`ok: false`), not thrown.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const narrator = options.narrator ?? silentNarrator;
  const directory = demoDirectory(options.keep);
  const started = performance.now();
  const timings = {} as Record<Part, number>;
  const timed = async <T>(part: Part, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    timings[part] = Math.round(performance.now() - start);
    // PGlite answers through promises alone, so the event loop, and with it a Ctrl-C, waits for a
    // turn: give it one between the parts.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  };
  // Ctrl-C would leave the temporary database behind: remove it and end as a shell expects (128 + SIGINT).
  // Not by raising the signal again: where SIGINT is ignored (a background job), that would carry on.
  const onInterrupt = () => {
    directory.remove();
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const db = await timed('open', () => openDb(`pglite:${directory.dataDir}`, { applicationName: 'wayback-cli' }));
    try {
      const story: Story = { db, narrator, dbFlag: ['--db', `pglite:${directory.dataDir}`] };
      narrator.say(
        'wayback demo: the way back for data, on an embedded PostgreSQL (PGlite), with no server and no setup. ' +
          'A job breaks hundreds of rows on Friday, the customer works all weekend, and on Sunday one command ' +
          "undoes exactly what the job wrote, keeping the weekend's work. The weekend takes a few seconds here: " +
          'the times you will see are real ones.',
      );
      const seeded = await timed('monday', () => buildProduct(story));
      const friday = await timed('friday', () => runFridayJob(story));
      const weekend = await timed('weekend', () => runWeekend(story));
      const sunday = await timed('sunday', () => findAndRevert(story, friday));
      const again = await timed('undo', () => revertTheRevert(story, sunday.revert));
      const proofs = [...sunday.proofs, ...again.proofs];
      const total = Math.round(performance.now() - started);
      const ok = proofs.every((proof) => proof.ok);
      tellTheEnd(story, { ok, proofs, totalMs: total, kept: directory.kept ? directory.dataDir : undefined, job: sunday.job.id });
      return {
        kind: 'demo-result',
        ok,
        db: directory.kept ? `pglite:${directory.dataDir}` : null,
        seeded,
        job: { changeset: sunday.job.id, app: sunday.job.app, since: friday.since.toISOString(), changes: friday.changes },
        weekend: { changes: weekend },
        reverts: { dryRun: sunday.dryRun, revert: sunday.revert, undo: again.undo, redo: again.redo },
        facts: sunday.facts,
        proofs,
        timings: { ...timings, total },
      };
    } finally {
      await db.close();
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    directory.remove();
  }
}

interface Ending {
  readonly ok: boolean;
  readonly proofs: readonly Proof[];
  readonly totalMs: number;
  /** The kept database's directory; undefined when it was temporary. */
  readonly kept: string | undefined;
  readonly job: string;
}

function tellTheEnd({ narrator }: Story, ending: Ending): void {
  narrator.step(ending.ok ? 'Done' : 'Done, but a proof failed');
  const held = ending.proofs.filter((proof) => proof.ok).length;
  narrator.say(`${held} of ${count(ending.proofs.length, 'proof')} held; the whole story took ${(ending.totalMs / 1_000).toFixed(1)} s.`);
  if (ending.kept === undefined) {
    narrator.say('The database was temporary and is gone. To keep it, and explore it with the CLI afterwards:');
    narrator.hint(['demo', '--keep', 'wayback-demo']);
    return;
  }
  narrator.say(`The database stays in ${ending.kept}. Explore it with the CLI, for instance:`);
  const dbFlag = ['--db', `pglite:${ending.kept}`];
  narrator.hint(['changesets', ...dbFlag]);
  narrator.hint(['show', ending.job, ...dbFlag]);
  narrator.hint(['revert', ...dbFlag, '--changeset', ending.job, '--dry-run']);
}
