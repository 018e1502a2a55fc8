import { WaybackError } from '../errors.js';

export class DemoDirectoryNotEmptyError extends WaybackError {
  constructor(readonly directory: string) {
    super('demo-directory-not-empty', `--keep ${directory}: the directory is not empty; name a new or empty directory for the demo's database`);
  }
}

export class DemoDirectoryNotADirectoryError extends WaybackError {
  constructor(readonly path: string) {
    super('demo-directory-not-a-directory', `--keep ${path}: it is a file, not a directory; name a new or empty directory for the demo's database`);
  }
}

/** The story could not go on: a step did not find what the one before it made. A bug, said plainly. */
export class DemoStepError extends WaybackError {
  constructor(readonly step: string, reason: string) {
    super('demo-step-failed', `the demo stopped at "${step}": ${reason}; please report it`);
  }
}
