import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** A pool or a transaction: reads that must also work inside a caller's transaction take this. */
export type Queryable = Sql | TransactionSql;

/** Opens a pool on a PostgreSQL server. */
export function connect(url: string, options: { max: number }): Sql {
  return postgres(url, {
    max: options.max,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: 'custodian', TimeZone: 'UTC' },
  });
}
