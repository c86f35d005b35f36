// The authenticated principal, cached for its token's life (issue 20). A request whose token was
// verified before skips the signature check and the user look-up; it still reads the
// organisation's revision (migration 0040), one primary-key row, so a change to the user, their
// roles or their department made by any process is seen by the very next request.
import type { Queryable } from '../db/client.ts';
import type { User } from '../organisation/model.ts';

export interface CachedPrincipal {
  user: User;
  /** The organisation's revision the user was read at. */
  revision: string;
  /** Epoch ms: the earlier of the token's expiry and the entry's maximum age. */
  until: number;
}

export interface PrincipalCacheOptions {
  /** AUTH_PRINCIPAL_CACHE_SIZE: tokens remembered at most; 0 turns the cache off. */
  size: number;
  /** AUTH_PRINCIPAL_CACHE_SECONDS: the longest an entry is kept, whatever its token's expiry. */
  maxAgeSeconds: number;
}

export const DEFAULT_PRINCIPAL_CACHE: PrincipalCacheOptions = { size: 10_000, maxAgeSeconds: 300 };

/** The organisation's revision now: raised by every change to users, user_roles and departments. */
export async function organisationRevision(sql: Queryable): Promise<string> {
  const [row] = await sql<{ revision: string }[]>`select revision::text as revision from organisation_revision`;
  return row!.revision;
}

/** A bounded map from token to principal, the least recently used dropped first. */
export function principalCache(options: PrincipalCacheOptions) {
  const entries = new Map<string, CachedPrincipal>();
  return {
    enabled: options.size > 0,
    /** The principal of a token verified before, if its entry has not expired. */
    get(token: string, now = Date.now()): CachedPrincipal | undefined {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      entries.delete(token);
      if (entry.until <= now) return undefined;
      entries.set(token, entry);
      return entry;
    },
    set(token: string, user: User, revision: string, tokenExpiresAt: number, now = Date.now()): void {
      if (options.size <= 0) return;
      entries.delete(token);
      entries.set(token, { user, revision, until: Math.min(tokenExpiresAt, now + options.maxAgeSeconds * 1000) });
      while (entries.size > options.size) entries.delete(entries.keys().next().value!);
    },
    forget(token: string): void {
      entries.delete(token);
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type PrincipalCache = ReturnType<typeof principalCache>;
