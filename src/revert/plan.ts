import type { Conflict, RevertCounts, RevertMode, Selector } from './types.js';

/** One thing a plan does to one row. Its id (table, key, action) is the same every time it is planned. */
export interface PlanStep {
  readonly id: string;
  readonly action: 'update' | 'delete' | 'reinsert';
  /** schema.table */
  readonly table: string;
  readonly key: Readonly<Record<string, string>>;
  /** update: column → {base, expected}; delete: column → expected text; reinsert: column → text. */
  readonly cells: Readonly<Record<string, unknown>>;
}

/**
 * A revert planned now and applied later (`wayback revert … --out plan.json`, `wayback apply plan.json`).
 * It records the current values it expects; apply re-checks them under row locks and turns anything
 * that moved into a conflict.
 */
export interface Plan {
  readonly kind: 'wayback-plan';
  readonly version: 1;
  /** The database it was made on: applying it elsewhere is refused. */
  readonly database: { readonly system: string; readonly name: string };
  readonly createdAt: string;
  readonly selector: SerializedSelector;
  readonly mode: RevertMode;
  readonly counts: RevertCounts;
  readonly steps: readonly PlanStep[];
  readonly conflicts: readonly Conflict[];
}

export type SerializedSelector = Omit<Selector, 'since' | 'until'> & { readonly since?: string; readonly until?: string };

export function serializeSelector(selector: Selector): SerializedSelector {
  const { since, until, ...rest } = selector;
  return { ...rest, ...(since === undefined ? {} : { since: since.toISOString() }), ...(until === undefined ? {} : { until: until.toISOString() }) };
}

export function stepId(table: string, key: Readonly<Record<string, string>>, action: string): string {
  return `${table}:${JSON.stringify(key)}:${action}`;
}
