// The inbox's reads for the HTTP API (issue 16.2): the caller's task counts and "my requests".
// The routes (inbox-routes.ts) parse the filters, call these and map the result.
import type { Sql } from '../../platform/db/client.ts';
import type { User } from '../../platform/organisation/model.ts';
import { inboxCounts, myRequests, type InboxCounts, type MyRequest, type RequestCursor } from '../sql/inbox.ts';
import type { InboxFilters } from '../sql/tasks.ts';

export type { InboxCounts, MyRequest, RequestCursor };

export function inboxService(sql: Sql) {
  return {
    /** How many tasks the user has, per state, under the filters, as of now. */
    counts: (user: User, filters: Omit<InboxFilters, 'overdue' | 'via'>): Promise<InboxCounts> => inboxCounts(sql, user.id, filters, new Date()),
    /** A page of the processes the user started, the newest first. */
    requests: (user: User, query: Parameters<typeof myRequests>[2]) => myRequests(sql, user.id, query),
  };
}
