import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/** Opens a pool on a PostgreSQL server. */
export function connect(url: string, options: { max: number }): Sql {
  return postgres(url, {
    max: options.max,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: 'custodian', TimeZone: 'UTC' },
  });
}
