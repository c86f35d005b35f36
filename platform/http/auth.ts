// Bearer-token authentication: who is calling. The token's `sub` names a user of the
// organisation; what that user may do is decided by the routes and the policies.
import type { Context, MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../config.ts';
import type { Sql } from '../db/client.ts';
import { findUser } from '../organisation/sql.ts';
import type { User } from '../organisation/model.ts';
import { HttpProblem } from './problem.ts';
import { DEFAULT_PRINCIPAL_CACHE, organisationRevision, principalCache, type PrincipalCache, type PrincipalCacheOptions } from './principal-cache.ts';

export type AuthEnv = { Variables: { user: User } };

/** What a token must say besides who it names: checked on every token, written into those signed here. */
export interface TokenClaims {
  issuer?: string;
  audience?: string;
  /** AUTH_TOKEN_MAX_LIFETIME_SECONDS: the longest a token may be valid. */
  maxLifetimeSeconds?: number;
}

export interface AuthenticatorOptions extends TokenClaims {
  /** HS256 shared secret (local mode, tests). */
  secret?: string;
  /** An identity provider's JWKS; when set, it is the only key source trusted. */
  jwksUrl?: string;
  /** The authenticated principal kept for its token's life (platform/http/principal-cache.ts). */
  principalCache?: PrincipalCacheOptions;
}

export interface Authenticator {
  /** The user id (`sub`) of a valid token; throws HttpProblem 401 for any other token. */
  verify(token: string): Promise<string>;
  /** The user id (`sub`) and the expiry (epoch ms) of a valid token; throws as `verify`. */
  verifyToken?(token: string): Promise<{ userId: string; expiresAt: number }>;
  /** Principals of tokens verified before, shared by every route of the app. */
  principals?: PrincipalCache;
}

// Clocks of the identity provider and of this host drift a little; more would stretch lifetimes.
const CLOCK_TOLERANCE_SECONDS = 5;

// Only these: a token naming another algorithm (including "none") is refused before any key is used.
const IDENTITY_PROVIDER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function unauthorized(code: string, detail: string): HttpProblem {
  return new HttpProblem(401, code, detail);
}

/** Maps what jose reports about a refused token to a 401 that says which check failed. */
function tokenProblem(error: unknown, remoteKeys: boolean): unknown {
  if (remoteKeys && (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError))) {
    // The identity provider's keys could not be fetched: the caller's token is not at fault.
    const unavailable = new HttpProblem(503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached; try again shortly.', {
      retryAfterSeconds: 5,
    });
    // Kept for the operator's log, which records 5xx errors; the caller sees only the problem.
    unavailable.cause = error;
    return unavailable;
  }
  if (!(error instanceof errors.JOSEError)) return error;
  if (error instanceof errors.JWTExpired) return unauthorized('TOKEN_EXPIRED', 'The bearer token has expired; sign in again.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const fault = error.reason === 'missing' ? 'missing' : 'not accepted';
    return unauthorized('TOKEN_CLAIMS_INVALID', `The bearer token's "${error.claim}" claim is ${fault}.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized('TOKEN_SIGNATURE_INVALID', 'The bearer token is not signed by a trusted key.');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unauthorized('TOKEN_ALGORITHM_REFUSED', 'The bearer token is signed with an algorithm that is not accepted.');
  }
  return unauthorized('TOKEN_MALFORMED', 'The bearer token is not a well-formed JWT.');
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  let key: JWTVerifyGetKey;
  let algorithms: string[];
  const remoteKeys = options.jwksUrl !== undefined;
  if (options.jwksUrl !== undefined) {
    // jose caches the key set and refetches it when a token names an unknown key id.
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = IDENTITY_PROVIDER_ALGORITHMS;
  } else if (options.secret !== undefined) {
    const secret = new TextEncoder().encode(options.secret);
    key = () => secret;
    algorithms = ['HS256'];
  } else {
    throw new Error('authentication needs a secret (AUTH_JWT_SECRET) or a JWKS URL (AUTH_JWKS_URL)');
  }
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // A token without an expiry would be valid for ever once leaked.
    requiredClaims: ['sub', 'exp'],
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
  };

  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;

  const verifyToken = async (token: string): Promise<{ userId: string; expiresAt: number }> => {
      try {
        const { payload } = await jwtVerify(token, key, verifyOptions);
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          throw unauthorized('TOKEN_CLAIMS_INVALID', 'The bearer token\'s "sub" claim must name a user.');
        }
        // A long-lived token is a standing key once leaked: its lifetime is bounded, counted from
        // its issue (or from now, for a token that does not say when it was issued).
        const lifetime = payload.exp! - (typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000));
        if (lifetime > maxLifetime + CLOCK_TOLERANCE_SECONDS) {
          throw unauthorized('TOKEN_LIFETIME_TOO_LONG', `The bearer token is valid for ${lifetime} s; at most ${maxLifetime} s is accepted.`);
        }
        return { userId: payload.sub, expiresAt: payload.exp! * 1000 };
      } catch (error) {
        if (error instanceof HttpProblem) throw error;
        throw tokenProblem(error, remoteKeys);
      }
  };

  return {
    verify: async (token) => (await verifyToken(token)).userId,
    verifyToken,
    principals: principalCache(options.principalCache ?? DEFAULT_PRINCIPAL_CACHE),
  };
}

/**
 * An HS256 token for a user, as `npm run token` and the dev-login route hand out: with the
 * expected issuer and audience, valid for the longest lifetime accepted.
 */
export async function issueToken(secret: string, userId: string, claims: TokenClaims = {}): Promise<string> {
  const token = new SignJWT()
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${claims.maxLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS}s`);
  if (claims.issuer !== undefined) token.setIssuer(claims.issuer);
  if (claims.audience !== undefined) token.setAudience(claims.audience);
  return token.sign(new TextEncoder().encode(secret));
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Authenticates the caller and sets `c.var.user`. Every refusal is a 401 problem with a
 * WWW-Authenticate challenge (RFC 6750); the header is set on the context before throwing,
 * and the app's error handler builds its response on that context, so it keeps the header.
 */
export function requireUser(deps: { sql: Sql; authenticator: Authenticator }): MiddlewareHandler<AuthEnv> {
  const refuse = (c: Context, code: string, detail: string, tokenPresented: boolean): never => {
    c.header('www-authenticate', tokenPresented ? 'Bearer realm="custodian", error="invalid_token"' : 'Bearer realm="custodian"');
    throw unauthorized(code, detail);
  };

  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') {
      return refuse(c, 'TOKEN_MISSING', 'Send an Authorization: Bearer <token> header.', false);
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      return refuse(c, 'TOKEN_NOT_BEARER', 'The Authorization header must use the Bearer scheme.', false);
    }

    const token = match[1];
    const { principals } = deps.authenticator;
    const cached = principals?.get(token);
    // A principal read at the organisation's current revision is still who the token names.
    const revision = principals?.enabled ? await organisationRevision(deps.sql) : undefined;
    if (cached !== undefined && cached.revision === revision) {
      c.set('user', cached.user);
      return next();
    }

    let verified: { userId: string; expiresAt: number | undefined };
    try {
      verified = deps.authenticator.verifyToken ? await deps.authenticator.verifyToken(token) : { userId: await deps.authenticator.verify(token), expiresAt: undefined };
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 401) return refuse(c, error.code, error.message, true);
      throw error;
    }

    // Read after the revision: a change between the two leaves an entry that the next request re-reads.
    const user = await findUser(deps.sql, verified.userId);
    if (!user) return refuse(c, 'USER_UNKNOWN', 'The bearer token names no user of this organisation.', true);
    if (!user.active) return refuse(c, 'USER_INACTIVE', 'The bearer token names a user who is no longer active.', true);
    if (revision !== undefined && verified.expiresAt !== undefined) principals!.set(token, user, revision, verified.expiresAt);
    c.set('user', user);
    await next();
  };
}
