export { connect, wayback, type Wayback } from './client.js';
export { WaybackError, isWaybackError } from './errors.js';
export * from './db/index.js';
export * from './journal/index.js';
export * from './revert/index.js';
export * from './migrate/index.js';
