// The trade record's public face: what other areas use to record and read orders (areas/sales/sql.ts).
export { findOrder, insertOrder, type Order, type OrderCredit } from './sql.ts';
