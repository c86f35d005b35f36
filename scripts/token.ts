// `npm run token -- <userId>`: prints a bearer token for a user, signed with AUTH_JWT_SECRET,
// after checking in DATABASE_URL's database that the user exists and is active.
import { readConfigOrExit } from '../platform/config.ts';
import { issueToken } from '../platform/http/auth.ts';
import { connect } from '../platform/db/client.ts';
import { findUser } from '../platform/organisation/sql.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const userId = process.argv[2];
if (userId === undefined || userId === '' || process.argv.length > 3) fail('Usage: npm run token -- <userId>');

const config = readConfigOrExit();
if (config.AUTH_JWT_SECRET === undefined) {
  fail('AUTH_JWT_SECRET is not set: tokens are signed with it (an identity provider issues its own tokens).');
}
if (config.DATABASE_URL === undefined) {
  fail(
    'DATABASE_URL is not set, so the user cannot be looked up.\n' +
      'In local mode (`npm start`) ask the API instead: POST /api/v1/auth/dev-token {"userId": "..."}',
  );
}

const sql = connect(config.DATABASE_URL, { max: 1 });
try {
  const user = await findUser(sql, userId);
  if (!user) fail(`No user "${userId}". The demo organisation's users are loaded by \`npm run seed\`.`);
  if (!user.active) fail(`User "${userId}" is inactive; a token for them would be refused.`);
  console.log(
    await issueToken(config.AUTH_JWT_SECRET, user.id, {
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      maxLifetimeSeconds: config.AUTH_TOKEN_MAX_LIFETIME_SECONDS,
    }),
  );
} finally {
  await sql.end({ timeout: 5 });
}
