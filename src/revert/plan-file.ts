import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PlanFileError, PlanFileTruncatedError, PlanFileUnreadableError, PlanFileUnwritableError, PlanVersionError } from './errors.js';
import type { Plan } from './plan.js';

const planVersion = 1;

/**
 * Refuses a path no plan can be written to (a directory, or a file in a directory that does not
 * exist), so a caller can check it before spending minutes on planning. Writes nothing.
 */
export function checkPlanPath(path: string): void {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) throw new PlanFileUnwritableError(path, 'it is a directory; name a file');
  const directory = dirname(resolve(path));
  const parent = statSync(directory, { throwIfNoEntry: false });
  if (parent === undefined) throw new PlanFileUnwritableError(path, `directory ${directory} does not exist; create it or choose another --out`);
  if (!parent.isDirectory()) throw new PlanFileUnwritableError(path, `${directory} is not a directory; choose another --out`);
}

/** Writes the plan as JSON; a path it cannot be written to is a PlanFileUnwritableError, never a bare fs error. */
export function writePlanFile(path: string, plan: Plan): void {
  checkPlanPath(path);
  try {
    writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new PlanFileUnwritableError(path, `${reason}; choose another --out`, { cause: error });
  }
}

/** Reads a plan file, checking its shape: a file that is not a plan is refused before anything runs. */
export function readPlanFile(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanFileUnreadableError(path, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (endsMidDocument(text)) throw new PlanFileTruncatedError(path, { cause: error });
    throw new PlanFileError(path, 'not JSON', { cause: error });
  }
  const plan = parsed as Partial<Plan>;
  const fail = (reason: string): never => {
    throw new PlanFileError(path, reason);
  };
  if (typeof plan !== 'object' || plan === null || plan.kind !== 'wayback-plan') fail('no "kind": "wayback-plan"');
  const version: unknown = plan.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > planVersion) throw new PlanVersionError(path, version, planVersion);
  if (version !== planVersion) fail(`version ${version === undefined ? 'missing' : JSON.stringify(version)}, this wayback reads version ${planVersion}`);
  if (typeof plan.database?.system !== 'string' || typeof plan.database.name !== 'string') fail('no database it was made on');
  if (!['skip-conflicts', 'strict', 'force'].includes(String(plan.mode))) fail(`unknown mode ${String(plan.mode)}`);
  if (!Array.isArray(plan.steps) || !Array.isArray(plan.conflicts)) fail('no steps or conflicts list');
  for (const step of plan.steps ?? []) {
    const ok =
      typeof step === 'object' && step !== null && ['update', 'delete', 'reinsert'].includes(step.action) &&
      typeof step.table === 'string' && typeof step.key === 'object' && step.key !== null &&
      typeof step.cells === 'object' && step.cells !== null;
    if (!ok) fail(`a malformed step: ${JSON.stringify(step).slice(0, 80)}`);
  }
  return plan as Plan;
}

/**
 * Whether text that JSON.parse refused is a JSON object or array cut off before its end (a copy that
 * stopped short, a full disk): it opens one, and at its end a string or a bracket is still open.
 */
function endsMidDocument(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      // Closed before the end, and still not JSON: it is malformed, not cut off.
      if (depth === 0) return false;
    }
  }
  return inString || depth > 0;
}
