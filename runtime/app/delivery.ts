import type { OutboundReplies } from "../adapters/outbound";
import type { ReplyIntent, Store } from "../adapters/store";
import { parseCommand } from "../domain/commands";
import { decide, type Effect, newUserState, readsFor, recordedAnswer, TICKETS_LISTED } from "../domain/conversation";
import { newSalt } from "../domain/ids";
import type { Answer, ConversationSettings, Inbound, Ticket, UserState } from "../domain/types";
import { StoreUnavailableError } from "../errors";

/** Where a text answer goes when the webhook response cannot carry it. */
export type ReplyRoute = Omit<ReplyIntent, "text" | "deliveryKey">;

export interface DeliveryDeps {
  readonly store: Store;
  readonly outbound: OutboundReplies;
  readonly clock: () => number;
  readonly settings: ConversationSettings;
}

export interface Delivered {
  readonly answer: Answer;
  /** True when this delivery had already been handled (a platform retry or a concurrent copy). */
  readonly duplicate: boolean;
}

/** Optimistic-concurrency attempts before giving up with 503 (the platform then retries). */
const MAX_ATTEMPTS = 5;

/**
 * Handles one verified delivery exactly once:
 * 1. read the user's state (one consistent GetItem); a delivery recorded there is a retry → its answer;
 * 2. decide (pure domain) and apply the effects — each an idempotent conditional Put keyed by the
 *    delivery, so concurrent copies write the same items once;
 * 3. commit the new state, which records the delivery, with a version check. Only one copy commits;
 *    the others re-read, find the delivery recorded and answer the same.
 * A store failure anywhere before the commit leaves the delivery unrecorded → 5xx → the platform's
 * retry redoes it, and the already-written effects are not written twice.
 */
export async function deliver(deps: DeliveryDeps, inbound: Inbound, replyRoute?: ReplyRoute): Promise<Delivered> {
  const { store, settings } = deps;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = deps.clock();
    const state = await loadOrCreate(store, inbound, now, settings);
    if (state === undefined) continue;
    const recorded = recordedAnswer(state, inbound.deliveryKey);
    if (recorded !== undefined) return { answer: recorded, duplicate: true };

    const command = parseCommand(inbound.text);
    const read = readsFor(command);
    let ticket: Ticket | undefined;
    let tickets: Ticket[] | undefined;
    if (read?.type === "ticket") ticket = await store.getTicket(read.ticketId);
    if (read?.type === "ticketsOfUser") tickets = await store.ticketsOf(inbound.user, TICKETS_LISTED);

    const decision = decide({ state, inbound, command, now, settings, ticket, tickets });
    for (const effect of decision.effects) await apply(store, effect);
    if (replyRoute !== undefined && decision.answer.kind === "text") {
      await deps.outbound.send({ ...replyRoute, deliveryKey: inbound.deliveryKey, text: decision.answer.text });
    }
    if (await store.commitUser(inbound.user, decision.state, now)) return { answer: decision.answer, duplicate: false };
  }
  throw new StoreUnavailableError(`user state still contended after ${MAX_ATTEMPTS} attempts`);
}

/** First contact stores the state (and its salt) before anything derives ticket ids from it. */
async function loadOrCreate(store: Store, inbound: Inbound, now: number, settings: ConversationSettings): Promise<UserState | undefined> {
  const stored = await store.loadUser(inbound.user);
  if (stored !== undefined) return stored;
  const fresh = newUserState(newSalt(), now, settings);
  return (await store.commitUser(inbound.user, fresh, now)) ? { ...fresh, version: 1 } : undefined;
}

async function apply(store: Store, effect: Effect): Promise<void> {
  switch (effect.type) {
    case "createTicket":
      return store.createTicket(effect.ticket);
    case "appendMessage":
      return store.appendMessage(effect.message);
    case "closeTicket":
      return store.setTicketStatus(effect.ticket, "closed", effect.at);
  }
}
