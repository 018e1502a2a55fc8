import { readFileSync, writeFileSync } from 'node:fs';
import { PlanFileError, PlanFileUnreadableError } from './errors.js';
import type { Plan } from './plan.js';

export function writePlanFile(path: string, plan: Plan): void {
  writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
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
    throw new PlanFileError(path, 'not JSON', { cause: error });
  }
  const plan = parsed as Partial<Plan>;
  const fail = (reason: string): never => {
    throw new PlanFileError(path, reason);
  };
  if (typeof plan !== 'object' || plan === null || plan.kind !== 'wayback-plan') fail('no "kind": "wayback-plan"');
  if (plan.version !== 1) fail(`version ${String(plan.version)}, this wayback reads version 1`);
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
