import { constraintWithoutNotValid } from './constraint-without-not-valid.js';
import { dropColumn } from './drop-column.js';
import { dropTable } from './drop-table.js';
import { enumValueRemoval } from './enum-value-removal.js';
import { indexWithoutConcurrently } from './index-without-concurrently.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { notNullWithoutDefault } from './not-null-without-default.js';
import { rename } from './rename.js';
import { rewritingTypeChange } from './rewriting-type-change.js';
import { setNotNull } from './set-not-null.js';
import type { Rule } from './rule.js';

/** Every rule, in the order of ruleIds. */
export const rules: readonly Rule[] = [
  notNullWithoutDefault,
  setNotNull,
  rewritingTypeChange,
  dropColumn,
  dropTable,
  indexWithoutConcurrently,
  missingLockTimeout,
  rename,
  enumValueRemoval,
  constraintWithoutNotValid,
];

export type { Hit, Rule, RuleContext } from './rule.js';
