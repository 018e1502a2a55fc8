export { applyPlan, planRevert, revert, type RevertOptions } from './revert.js';
export { checkPlanPath, readPlanFile, writePlanFile } from './plan-file.js';
export { selectStatements, describeSelector, type Selection } from './select.js';
export type { Plan, PlanStep, SerializedSelector } from './plan.js';
export type { Conflict, ConflictKind, RevertCounts, RevertMode, RevertResult, Selector } from './types.js';
export {
  BadSelectorError,
  DatabaseMismatchError,
  EmptySelectionError,
  PlanFileError,
  PlanFileTruncatedError,
  PlanFileUnreadableError,
  PlanFileUnwritableError,
  PlanTableGoneError,
  PlanVersionError,
  type DatabaseName,
} from './errors.js';
