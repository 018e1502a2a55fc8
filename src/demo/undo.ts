import { revert, type RevertResult, type Selector } from '../revert/index.js';
import { DemoStepError } from './errors.js';
import { snapshot } from './moments.js';
import { sameDataProof, type Proof } from './proofs.js';
import type { Story } from './story.js';

export interface RevertOfRevert {
  readonly undo: RevertResult;
  readonly redo: RevertResult;
  readonly proofs: readonly Proof[];
}

/** A revert is a change set too: revert it (the data is Sunday morning's again), then revert that (the fix is back). */
export async function revertTheRevert(story: Story, first: RevertResult): Promise<RevertOfRevert> {
  const { db, narrator } = story;
  narrator.step('A revert is a change set too: undo it, and redo it');
  narrator.say("Second thoughts? Revert the revert, and the data is exactly as it was on Sunday morning:");
  const undo = await revertChangeset(story, first);
  await snapshot(db, 'after-undo');
  const undone = await sameDataProof(db, 'undo-gives-back-sunday', 'after-undo', 'after-weekend', 'on Sunday morning');
  narrator.proof(undone);
  narrator.say('And revert that: the fix is back.');
  const redo = await revertChangeset(story, undo);
  await snapshot(db, 'after-redo');
  const redone = await sameDataProof(db, 'redo-gives-back-revert', 'after-redo', 'after-revert', 'after the first revert');
  narrator.proof(redone);
  return { undo, redo, proofs: [undone, redone] };
}

async function revertChangeset(story: Story, previous: RevertResult): Promise<RevertResult> {
  if (previous.changeset === null) throw new DemoStepError('revert the revert', 'the revert before it wrote nothing');
  const selector: Selector = { changesets: [previous.changeset] };
  const result = await revert(story.db, selector);
  story.narrator.command(['revert', ...story.dbFlag, '--changeset', previous.changeset], { command: 'revert', result, selector, dryRun: false });
  return result;
}
