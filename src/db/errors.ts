import { WaybackError } from '../errors.js';

export class DbUrlError extends WaybackError {
  constructor(readonly url: string) {
    super(
      'bad-db-url',
      `not a database URL: "${url}"; use postgres://user@host:port/database, pglite:<directory> or pglite:memory`,
    );
  }
}

export class DbUnreachableError extends WaybackError {
  constructor(readonly url: string, readonly reason: string, options?: { cause?: unknown }) {
    super('db-unreachable', `cannot reach PostgreSQL at ${url} (${reason}); is the server running, and is the URL right?`, options);
  }
}

export class DbMissingError extends WaybackError {
  constructor(readonly url: string, readonly database: string, options?: { cause?: unknown }) {
    super(
      'database-missing',
      `database "${database}" does not exist at ${url}; create it (createdb ${database}) or point --db at another one`,
      options,
    );
  }
}

export class DbAuthError extends WaybackError {
  constructor(readonly url: string, readonly reason: string, options?: { cause?: unknown }) {
    super('db-auth-failed', `PostgreSQL at ${url} refused the login (${reason}); check the user and password in the URL`, options);
  }
}

export class DbLockedError extends WaybackError {
  constructor(readonly directory: string, readonly pid: number, readonly host: string) {
    super(
      'db-locked',
      `the embedded database ${directory} is in use by process ${pid} on ${host}; stop that process first ` +
        `(two processes writing one PGlite directory lose data)`,
    );
  }
}

export class DbOpenError extends WaybackError {
  constructor(readonly url: string, readonly reason: string, options?: { cause?: unknown }) {
    super('db-open-failed', `cannot open the embedded database ${url}: ${reason}; check the directory (it must be a PGlite data directory or absent), or pass another --db`, options);
  }
}
