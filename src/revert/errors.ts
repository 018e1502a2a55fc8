import { WaybackError } from '../errors.js';

export class EmptySelectionError extends WaybackError {
  constructor(readonly description: string) {
    super('selection-empty', `${description} matches no journal entry; "wayback changesets" lists what can be reverted`);
  }
}

export class BadSelectorError extends WaybackError {
  constructor(message: string) {
    super('bad-selector', message);
  }
}

export class DatabaseMismatchError extends WaybackError {
  constructor(readonly planned: string, readonly here: string) {
    super('plan-foreign', `this plan was made on another database ("${planned}"), not this one ("${here}"); plan again here`);
  }
}

export class PlanFileError extends WaybackError {
  constructor(readonly path: string, readonly reason: string, options?: { cause?: unknown }) {
    super('plan-file-invalid', `${path} is not a wayback plan (${reason}); make one with "wayback revert … --out ${path}"`, options);
  }
}

export class PlanFileUnreadableError extends WaybackError {
  constructor(readonly path: string, options: { cause: unknown }) {
    const reason = (options.cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((options.cause as Error).message);
    super('plan-file-unreadable', `cannot read the plan ${path}: ${reason}`, options);
  }
}
