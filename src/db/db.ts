export type Backend = 'pglite' | 'postgres';

export interface Rows<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** Anything that runs a parameterised statement: the database itself or an open transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Rows<R>>;
}

/** One connection, held: what runs on it shares session state (advisory locks, SET), and it opens transactions of its own. */
export interface Session extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/**
 * The one database interface the rest of wayback uses, over PGlite or a PostgreSQL server.
 * Values come back parsed the same way on both backends (node-postgres' type parsers).
 */
export interface Db extends Queryable {
  readonly backend: Backend;
  /** The URL it was opened with, without a password. */
  readonly url: string;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection held from start to end, outside any transaction: for work that needs
   * a session-level advisory lock, or statements that cannot run in a transaction between ones that do.
   * On a server the connection is closed afterwards, so no session state reaches the pool.
   */
  session<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
