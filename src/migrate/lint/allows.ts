// `-- wayback:allow <rule>[,<rule>…] [reason]` comments: which rules a migration author accepted, where.
import { isRuleId, ruleIds, type Finding, type RuleId } from './finding.js';
import type { Comment, Statement } from './parse-file.js';

export interface Allows {
  /** Whether `rule` is allowed for the statement: by a comment above the file's first statement, just above it, or on its lines. */
  allows(rule: RuleId, statement: Statement): boolean;
  /** Allow comments that name no rule, as findings. */
  readonly unknown: readonly Finding[];
}

// The rules, comma-separated (spaces around commas allowed); anything after them is the reason.
const marker = /wayback:allow\s+([^\s,]+(?:\s*,\s*[^\s,]+)*)/;

export function readAllows(
  file: string,
  comments: readonly Comment[],
  statements: readonly Statement[],
  codeLines: ReadonlySet<number>,
): Allows {
  const firstLine = statements[0]?.line ?? Number.POSITIVE_INFINITY;
  const wholeFile = new Set<RuleId>();
  const byLine = new Map<number, Set<RuleId>>();
  const unknown: Finding[] = [];
  for (const comment of comments) {
    const listed = marker.exec(comment.text.replace(/\*\/$/, ''))?.[1];
    if (listed === undefined) continue;
    for (const name of listed.split(/\s*,\s*/)) {
      if (!isRuleId(name)) {
        unknown.push({
          file,
          line: comment.line,
          rule: 'unknown-rule',
          message: `wayback:allow names "${name}", which is no lint rule, so it allows nothing`,
          fix: `name one of: ${ruleIds.join(', ')}`,
        });
      } else if (comment.line < firstLine) {
        wholeFile.add(name);
      } else {
        const rules = byLine.get(comment.line) ?? new Set<RuleId>();
        rules.add(name);
        byLine.set(comment.line, rules);
      }
    }
  }
  const commentLines = new Set(comments.map((comment) => comment.line));
  return {
    unknown,
    allows(rule, statement) {
      if (wholeFile.has(rule)) return true;
      for (let line = statement.line; line <= statement.endLine; line++) if (byLine.get(line)?.has(rule) === true) return true;
      // The block of comment-only lines right above the statement (a blank line ends it).
      for (let line = statement.line - 1; commentLines.has(line) && !codeLines.has(line); line--) {
        if (byLine.get(line)?.has(rule) === true) return true;
      }
      return false;
    },
  };
}
