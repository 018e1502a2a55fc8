/** The rules lint knows, by the id a finding carries and a `-- wayback:allow <rule>` comment names. */
export const ruleIds = [
  'not-null-without-default',
  'set-not-null',
  'rewriting-type-change',
  'drop-column',
  'drop-table',
  'index-without-concurrently',
  'missing-lock-timeout',
  'rename',
  'enum-value-removal',
  'constraint-without-not-valid',
] as const;

export type RuleId = (typeof ruleIds)[number];

/** What lint says about the files themselves rather than their statements; no comment allows these. */
export type FileRuleId = 'parse-error' | 'unknown-rule';

export function isRuleId(name: string): name is RuleId {
  return (ruleIds as readonly string[]).includes(name);
}

/** One unsafe statement: where it is, which rule, why it hurts, and the safe way to do the same. */
export interface Finding {
  readonly file: string;
  /** 1-based line of the statement (or of the clause inside it) the finding is about. */
  readonly line: number;
  readonly rule: RuleId | FileRuleId;
  /** Why it hurts, naming the table, column or type. */
  readonly message: string;
  /** The safe pattern. */
  readonly fix: string;
}
