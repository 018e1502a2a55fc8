export { revert, type RevertOptions } from './revert.js';
export { selectStatements, describeSelector, type Selection } from './select.js';
export type { Conflict, ConflictKind, RevertCounts, RevertMode, RevertResult, Selector } from './types.js';
export { BadSelectorError, EmptySelectionError } from './errors.js';
