/** Exit codes (DESIGN.md): 0 done; 1 error, nothing changed; 2 usage; 3 done with conflicts left. */
export const ExitCode = { ok: 0, error: 1, usage: 2, conflicts: 3 } as const;

let outcome: number = ExitCode.ok;

/** A command that finished but left something undone (conflicts) says so here; run() returns it. */
export function finishWith(code: number): void {
  outcome = code;
}

export function takeOutcome(): number {
  const code = outcome;
  outcome = ExitCode.ok;
  return code;
}
