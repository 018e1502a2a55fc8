export { migrateDown, migrateUp, type DownOptions, type MigrateOptions, type MigrateResult, type MigrationRun, type UpOptions } from './migrate.js';
export { migrationStatus, type MigrationState, type MigrationStatus, type MigrationStatusEntry } from './migration-status.js';
export { newMigration, type NewMigration } from './new-migration.js';
export { readMigrations } from './read-folder.js';
export { readHistory, type AppliedMigration } from './history.js';
export { migrationChangeset, type Direction } from './execute.js';
export type { KeptData } from './keep/index.js';
export { migrationLockKey, type LockOptions } from './lock.js';
export { splitStatements, type Statement } from './split-statements.js';
export type { Migration, MigrationFormat, MigrationStep, ModuleStep, SqlStep } from './migration.js';
export {
  DownUnavailableError,
  IrreversibleMigrationError,
  MigrationEditedError,
  MigrationExistsError,
  MigrationFailedError,
  MigrationFolderError,
  MigrationLockedError,
  MigrationModuleError,
  MigrationNotFoundError,
  MigrationOutOfOrderError,
  MissingDownError,
  type FailedStatement,
} from './errors.js';
export {
  passes,
  verifyMigrations,
  type MigrationVerdict,
  type StepFailure,
  type VerifyDetail,
  type VerifyOptions,
  type VerifyResult,
  type VerifyStatus,
} from './verify/verify.js';
export type { SchemaDifference } from './verify/catalog.js';
export type { DataLoss } from './verify/row-hashes.js';
export type { SeedRefusal } from './verify/seed.js';
