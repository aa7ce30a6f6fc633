// The smallest SQL surface the migration runner needs, implemented over PGlite and node-postgres,
// so migrations run on the raw driver (no Prisma schema engine; docs/database.md).

export interface SqlConnection {
  /** Runs one or more statements without parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
  /** One statement with $1.. parameters. */
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface SqlPool {
  /** Runs fn on one connection held for its whole duration (a session: locks and BEGIN/COMMIT hold). */
  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T>;
}
