// The records the customers' service hands out (read from sql.ts), for the routes to map.
export type { CoDevelopmentRequest, Customer, Departure, Protection, ProtectionReport } from '../sql.ts';
