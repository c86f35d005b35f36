// The custom search attributes every process instance carries, so operators can find instances in
// the Temporal UI (`CustodianBusinessKey = "BR-2024-0012"`). This is the one list: workflows set
// them through these keys, and whatever registers them on a Temporal server (docker-compose.yml's
// temporal-setup service, the local launcher) is checked against it by tests/unit.
//
// All are Keyword: exact-match values (ids, levels), which SQL visibility stores in pre-allocated
// Keyword columns (ten per namespace on PostgreSQL).
import { defineSearchAttributeKey } from '@temporalio/common';

/** The process definition's key, e.g. `archive.borrow`. */
export const processKeyAttribute = defineSearchAttributeKey('CustodianProcessKey', 'KEYWORD');
/** The business object the instance is about, e.g. the borrow request id. */
export const businessKeyAttribute = defineSearchAttributeKey('CustodianBusinessKey', 'KEYWORD');
/** The user id of whoever started the instance. */
export const initiatorAttribute = defineSearchAttributeKey('CustodianInitiator', 'KEYWORD');
/** The secrecy level of the records involved. */
export const secrecyAttribute = defineSearchAttributeKey('CustodianSecrecy', 'KEYWORD');
/** The customer the instance concerns, when there is one. */
export const customerAttribute = defineSearchAttributeKey('CustodianCustomer', 'KEYWORD');

/** Every Custodian search attribute key, in registration order. */
export const searchAttributeKeys = [
  processKeyAttribute,
  businessKeyAttribute,
  initiatorAttribute,
  secrecyAttribute,
  customerAttribute,
] as const;

/** The names alone, e.g. for `temporal server start-dev --search-attribute <name>=Keyword`. */
export const searchAttributeNames: readonly string[] = searchAttributeKeys.map((key) => key.name);
