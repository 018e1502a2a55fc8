export { installSchema, requireSchema, schemaSteps, schemaVersion, uninstallSchema } from './schema.js';
export type { InstallResult, SchemaStep } from './schema.js';
export { resolveTable, track, trackAll, untrack } from './track.js';
export type { TrackAllResult, TrackedTable, TrackOptions } from './track.js';
export { inChangeset, newChangesetId, tagTransaction, type ChangesetInfo } from './tag.js';
export { listChangesets, showChangeset } from './changesets.js';
export type { Changeset, ChangesetDetail, ChangesetFilter, ChangesetList, EntrySample, RowCounts } from './changesets.js';
export { status, type Status, type TableStatus } from './status.js';
export { parseTime } from './time.js';
export {
  BadTimeError,
  CaptureRefusedError,
  ChangesetNotFoundError,
  SchemaMissingError,
  SchemaNotFoundError,
  SchemaOutdatedError,
  SchemaStepError,
  SchemaTooNewError,
  TableNotFoundError,
  TableNotTrackedError,
} from './errors.js';
