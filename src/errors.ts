/**
 * The base of every error wayback expects. Its message is one line: what is wrong, then what to do.
 * The CLI prints `message` and exits 1; anything that is not a WaybackError is a bug.
 */
export class WaybackError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WaybackError';
    this.code = code;
  }
}

export function isWaybackError(error: unknown): error is WaybackError {
  return error instanceof WaybackError;
}

/** The first line of any thrown value's message: PostgreSQL's errors carry context on the lines after. */
export function firstLineOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
