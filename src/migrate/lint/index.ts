export { isRuleId, ruleIds } from './finding.js';
export type { FileRuleId, Finding, RuleId } from './finding.js';
export { KnownSchema } from './known-schema.js';
export { lintSql } from './lint-sql.js';
export { lintFolder } from './lint-folder.js';
export type { LintReport } from './lint-folder.js';
