import { Option } from '@commander-js/extra-typings';
import { isWaybackError } from '../errors.js';
import { parseTime } from '../journal/index.js';
import { UsageError } from './errors.js';

/**
 * `--since <time>` or `--until <time>`, read into a Date while the command line is parsed: a time
 * that is not one is a usage error (exit 2), found before any database is opened.
 */
export function timeOption<Flags extends '--since <time>' | '--until <time>'>(flags: Flags, description: string) {
  const name = flags.slice(0, flags.indexOf(' '));
  return new Option(flags, description).argParser((value: string) => {
    try {
      return parseTime(value, name);
    } catch (error) {
      throw isWaybackError(error) ? UsageError.from(error) : error;
    }
  });
}

/** A window whose end comes before its start matches nothing: say so, rather than report an empty selection. */
export function checkWindow(since: Date | undefined, until: Date | undefined): void {
  if (since !== undefined && until !== undefined && until.getTime() < since.getTime()) {
    throw new UsageError(`--until ${until.toISOString()} is before --since ${since.toISOString()}, so nothing can match; swap them`);
  }
}
