import { WaybackError } from '../errors.js';

/** The command line itself is wrong (exit 2), as opposed to what it asked for failing (exit 1). */
export class UsageError extends WaybackError {
  constructor(message: string) {
    super('usage', message);
  }
}
