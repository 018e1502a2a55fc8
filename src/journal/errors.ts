import { WaybackError } from '../errors.js';

export class SchemaMissingError extends WaybackError {
  constructor() {
    super('schema-missing', 'this database has no wayback schema yet; run "wayback init" first');
  }
}

export class SchemaTooNewError extends WaybackError {
  constructor(readonly installed: number, readonly known: number) {
    super(
      'schema-too-new',
      `the wayback schema here is at step ${installed}, newer than this wayback knows (${known}); upgrade wayback`,
    );
  }
}

export class SchemaOutdatedError extends WaybackError {
  constructor(readonly installed: number, readonly known: number) {
    super('schema-outdated', `the wayback schema here is at step ${installed}; this wayback needs ${known}: run "wayback init" to upgrade`);
  }
}

export class SchemaStepError extends WaybackError {
  constructor(readonly step: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super('schema-step-failed', `installing wayback schema step ${step} failed, nothing of it was kept: ${reason}; fix that and run "wayback init" again (it resumes at this step)`, options);
  }
}

export class TableNotFoundError extends WaybackError {
  constructor(readonly table: string) {
    super('table-not-found', `no table "${table}" here; check the name (schema.table) and the --db it points at`);
  }
}

/** A refusal written by wayback's own SQL (SQLSTATE WB001): its message already says what to do. */
export class CaptureRefusedError extends WaybackError {
  constructor(message: string, options: { cause: unknown }) {
    super('capture-refused', message, options);
  }
}

export class ChangesetNotFoundError extends WaybackError {
  constructor(readonly changeset: string) {
    super('changeset-not-found', `no change set "${changeset}" in the journal; "wayback changesets" lists them`);
  }
}

export class BadTimeError extends WaybackError {
  constructor(readonly option: string, readonly value: string) {
    super(
      'bad-time',
      `${option}: "${value}" is not a time; use an ISO 8601 timestamp (2026-11-20T17:00:00Z) or an age like 30m, 2h, 3d`,
    );
  }
}

export class TableNotTrackedError extends WaybackError {
  constructor(readonly table: string) {
    super('table-not-tracked', `"${table}" is not tracked, so the journal has nothing on it; "wayback status" lists the tracked tables`);
  }
}

export class SchemaNotFoundError extends WaybackError {
  constructor(readonly schema: string) {
    super('schema-not-found', `no schema "${schema}" here; check the --schema name`);
  }
}
