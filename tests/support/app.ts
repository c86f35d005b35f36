// The API app for tests that call it with app.request(...): real database, real auth; the
// Temporal side is the suite's engine, or a client aimed at a closed port when the suite
// never reaches a process.
import { Client, Connection } from '@temporalio/client';
import { createApp, type AppDeps } from '../../platform/http/app.ts';

export function unreachableEngine(): AppDeps['engine'] {
  return { client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }), taskQueue: 'unused' };
}

export function testApp(deps: Pick<AppDeps, 'sql' | 'authenticator'> & Partial<AppDeps>) {
  return createApp({
    database: async () => {},
    temporal: async () => {},
    temporalUiUrl: 'http://localhost:8233',
    devLogin: false,
    engine: unreachableEngine(),
    // Tests read English unless they ask otherwise; the product's default is Chinese (COMPANY_LANGUAGE).
    companyLanguage: 'en',
    ...deps,
  });
}
