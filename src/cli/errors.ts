import { WaybackError } from '../errors.js';

/**
 * The command line itself is wrong (exit 2), as opposed to what it asked for failing (exit 1). `code`
 * keeps a more precise code than "usage" for --json (a time that is not a time stays "bad-time").
 */
export class UsageError extends WaybackError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(options.code ?? 'usage', message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** A WaybackError met while reading the command line is the command line's fault: same message and code, exit 2. */
  static from(error: WaybackError): UsageError {
    return new UsageError(error.message, { code: error.code, cause: error });
  }
}
