import { listChangesets, showChangeset, type Changeset } from '../journal/index.js';
import { revert, type RevertResult, type Selector } from '../revert/index.js';
import { DemoStepError } from './errors.js';
import type { FridayJob } from './friday.js';
import { snapshot } from './moments.js';
import { revertFacts, revertProofs, type ExpectedConflict, type Proof, type RevertFacts } from './proofs.js';
import { count, type Story } from './story.js';

export interface SundayRevert {
  readonly job: Changeset;
  readonly dryRun: RevertResult;
  readonly revert: RevertResult;
  readonly facts: RevertFacts;
  readonly proofs: readonly Proof[];
}

/**
 * Sunday, as an on-call engineer does it with the CLI: find the job from the symptom, look at it,
 * dry-run the revert, revert it; then prove from the data what the revert did. Each step runs the
 * library function its command runs, so the output shown is the command's own.
 */
export async function findAndRevert(story: Story, friday: FridayJob): Promise<SundayRevert> {
  const { db, narrator, dbFlag } = story;
  narrator.step('Sunday: find the job from the symptom');
  narrator.say('Recruiters report candidates with the wrong names. Which transactions wrote candidate.first_name since Friday 17:00?');
  const since = friday.since.toISOString().replace('.000Z', 'Z');
  const found = await listChangesets(db, { table: 'candidate', column: 'first_name', since: friday.since });
  narrator.command(['changesets', ...dbFlag, '--table', 'candidate', '--column', 'first_name', '--since', since], {
    command: 'changesets',
    result: found,
  });
  const job = found.changesets.find((c) => c.app === 'candidate-mapper');
  if (job === undefined) throw new DemoStepError('find the job', 'no change set of candidate-mapper wrote candidate.first_name');
  narrator.say(
    `${job.id} is the job: nobody tagged it, so wayback named it after its transaction and kept its ` +
      `application_name, ${job.app ?? ''}. What did it write?`,
  );
  const detail = await showChangeset(db, job.id, 2);
  narrator.command(['show', job.id, ...dbFlag, '--samples', '2'], { command: 'show', result: detail });

  narrator.step('Sunday: what would a revert do?');
  const selector: Selector = { changesets: [job.id] };
  const dryRun = await revert(db, selector, { dryRun: true });
  narrator.command(['revert', ...dbFlag, '--changeset', job.id, '--dry-run'], { command: 'revert', result: dryRun, selector, dryRun: true });
  narrator.say(
    'The dry run carried the revert out and rolled it back. ' +
      `Each of the ${count(dryRun.conflicts.length, 'conflict')} is a place the weekend wrote after the job: the revert keeps ` +
      "the weekend's value there and says so, with the value before the job (base), the job's (written) and today's (current).",
  );

  narrator.step('Sunday: the revert');
  const applied = await revert(db, selector);
  narrator.command(['revert', ...dbFlag, '--changeset', job.id], { command: 'revert', result: applied, selector, dryRun: false });
  await snapshot(db, 'after-revert');

  narrator.step('Proof, from the data');
  narrator.say('The demo kept a copy of every row before the job, after it, after the weekend, and now. Compared cell by cell:');
  const facts = await revertFacts(db);
  const proofs = revertProofs(facts, applied);
  for (const proof of proofs) narrator.proof(proof);
  narrator.say("The conflicts, as the data has them: the value before the job, the job's, and today's, which stays:");
  narrator.quote(facts.expectedConflicts.map(describeConflict));
  return { job, dryRun, revert: applied, facts, proofs };
}

function describeConflict(c: ExpectedConflict): string {
  if (c.column === null) return `${c.table} ${c.pk}: the job inserted it, and weekend rows point at it`;
  const value = (text: string | null) => (text === null ? 'null' : text);
  return `${c.table} ${c.pk} ${c.column}: ${value(c.base)} → ${value(c.written)} → ${value(c.current)}`;
}
