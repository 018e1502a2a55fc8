export type Backend = 'pglite' | 'postgres';

export interface Rows<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** Anything that runs a parameterised statement: the database itself or an open transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Rows<R>>;
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
  close(): Promise<void>;
}
