import type { ReplyIntent, Store } from "./store";

/**
 * Port for replies that cannot ride in the webhook response (Slack Events API messages, Meta
 * messages). Implementations must be idempotent per `deliveryKey`: a retried delivery calls `send`
 * again with the same intent. Issue #7's outbound worker provides the implementation that calls the
 * platforms; until it is wired, `storeOutbox` queues intents in the table (status "pending", gsi1).
 */
export interface OutboundReplies {
  send(reply: ReplyIntent): Promise<void>;
}

export function storeOutbox(store: Store, clock: () => number): OutboundReplies {
  return { send: (reply) => store.enqueueReply(reply, clock()) };
}
