export { runDemo, type DemoOptions, type DemoResult } from './demo.js';
export { silentNarrator, type CommandResult, type Narrator } from './narrator.js';
export type { Changes, TableChanges } from './moments.js';
export type { ExpectedConflict, Proof, RevertFacts } from './proofs.js';
export { DemoDirectoryNotADirectoryError, DemoDirectoryNotEmptyError, DemoStepError } from './errors.js';
