import type { ChangesetDetail, ChangesetList, InstallResult, TrackAllResult } from '../journal/index.js';
import type { RevertResult, Selector } from '../revert/index.js';
import type { Proof } from './proofs.js';

/** What a command of the story returned, for the narrator to print as that command would. */
export type CommandResult =
  | { readonly command: 'init'; readonly url: string; readonly result: InstallResult }
  | { readonly command: 'track'; readonly result: TrackAllResult }
  | { readonly command: 'changesets'; readonly result: ChangesetList }
  | { readonly command: 'show'; readonly result: ChangesetDetail }
  | { readonly command: 'revert'; readonly result: RevertResult; readonly selector: Selector; readonly dryRun: boolean };

/**
 * Tells the story. The demo runs the library and says what happens; the narrator decides how it
 * looks (the CLI prints each command as the user would type it, then that command's own output),
 * or stays silent (--json). The demo never formats a command's output itself.
 */
export interface Narrator {
  /** A new step of the story. */
  step(title: string): void;
  /** Lines of prose. */
  say(...lines: string[]): void;
  /** Lines to show as they are (SQL), indented. */
  quote(lines: readonly string[]): void;
  /** A command, as the words a user types after `npx wayback`, and what it returned. */
  command(words: readonly string[], result: CommandResult): void;
  /** A command for the user to try afterwards, as the words after `npx wayback`. */
  hint(words: readonly string[]): void;
  proof(proof: Proof): void;
}

/** The narrator of --json: the story is in the result document, not on the screen. */
export const silentNarrator: Narrator = {
  step: () => undefined,
  say: () => undefined,
  quote: () => undefined,
  command: () => undefined,
  hint: () => undefined,
  proof: () => undefined,
};
