/**
 * Physical shape of the single DynamoDB table: the runtime's store and infra/aws's Table component
 * both read it from here. The access patterns that use these keys are documented in
 * runtime/adapters/README.md (the store's owner keeps that table current).
 */
export const TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds; DynamoDB TTL deletes conversation state, dedupe and audit records after it. */
  ttlAttribute: "expiresAt",
  indexes: {
    /** Tickets by status for the agents' list: gsi1pk = TICKETS#<status>, gsi1sk = <updatedAt>#<id>. */
    byStatus: { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    /** Tickets by creation day for exports: gsi2pk = DAY#<yyyy-mm-dd>, gsi2sk = <createdAt>#<id>. */
    byDay: { name: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
    /** A bot user's tickets for /tickets: gsi3pk = OWNER#<platform>#<userId>, gsi3sk = <createdAt>#<id>. */
    byOwner: { name: "gsi3", partitionKey: "gsi3pk", sortKey: "gsi3sk" },
  },
} as const;
