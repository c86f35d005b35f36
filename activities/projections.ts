// Kept while callers move to db/audit.ts, where these writes belong.
export { insertAudit, insertNotices } from '../db/audit.ts';
