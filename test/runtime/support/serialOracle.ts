/**
 * The specification the concurrency tests hold the delivery engine to: deliveries from one user
 * handled one after another by the pure domain (parseCommand → readsFor → decide), with the
 * effects applied to plain maps. No store, no delivery engine, no concurrency: if the real engine's
 * outcome under any interleaving, retry and fault equals this model's outcome for SOME order of the
 * same deliveries, the engine is serialisable.
 */
import type { ReplyRoute } from "../../../runtime/app/delivery";
import { parseCommand } from "../../../runtime/domain/commands";
import { decide, type Effect, readsFor, TICKETS_LISTED } from "../../../runtime/domain/conversation";
import type { Answer, ConversationSettings, Inbound, Ticket, UserState } from "../../../runtime/domain/types";

export interface StoredMessage {
  readonly ticketId: string;
  readonly text: string;
  readonly sentAt: number;
}

/** Everything a reader can observe of one user: their state, tickets, messages and queued replies. */
export interface World {
  readonly state: UserState;
  readonly tickets: ReadonlyMap<string, Ticket>;
  /** Keyed like the store: one item per (ticket, sentAt, text) — the tests give every delivery a distinct text. */
  readonly messages: ReadonlyMap<string, StoredMessage>;
  /** Queued replies by delivery key. */
  readonly replies: ReadonlyMap<string, string>;
}

export interface SerialDelivery {
  readonly inbound: Inbound;
  readonly route?: ReplyRoute;
}

export const messageKey = (m: StoredMessage) => `${m.ticketId}|${m.sentAt}|${m.text}`;

/** Runs `deliveries` in this order from `world`, all at `now`; returns the final world and each answer. */
export function runSerially(world: World, deliveries: readonly SerialDelivery[], now: number, settings: ConversationSettings): { world: World; answers: Answer[] } {
  let state = world.state;
  const tickets = new Map(world.tickets);
  const messages = new Map(world.messages);
  const replies = new Map(world.replies);
  const answers: Answer[] = [];
  for (const { inbound, route } of deliveries) {
    const command = parseCommand(inbound.text);
    const read = readsFor(command);
    const ticket = read?.type === "ticket" ? tickets.get(read.ticketId) : undefined;
    const owned = [...tickets.values()].filter((t) => t.owner.platform === inbound.user.platform && t.owner.userId === inbound.user.userId);
    // The byOwner index order: createdAt then id, newest first.
    owned.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const listed = read?.type === "ticketsOfUser" ? owned.slice(0, TICKETS_LISTED) : undefined;
    const decision = decide({ state, inbound, command, now, settings, ticket, tickets: listed });
    for (const effect of decision.effects) applyEffect(effect, tickets, messages);
    if (route !== undefined && decision.answer.kind === "text" && !replies.has(inbound.deliveryKey)) replies.set(inbound.deliveryKey, decision.answer.text);
    state = decision.state;
    answers.push(decision.answer);
  }
  return { world: { state, tickets, messages, replies }, answers };
}

function applyEffect(effect: Effect, tickets: Map<string, Ticket>, messages: Map<string, StoredMessage>): void {
  switch (effect.type) {
    case "createTicket":
      if (!tickets.has(effect.ticket.id)) tickets.set(effect.ticket.id, effect.ticket);
      return;
    case "appendMessage": {
      const m = { ticketId: effect.message.ticketId, text: effect.message.text, sentAt: effect.message.sentAt };
      if (!messages.has(messageKey(m))) messages.set(messageKey(m), m);
      return;
    }
    case "closeTicket":
    case "reopenTicket": {
      const id = effect.type === "closeTicket" ? effect.ticket.id : effect.ticketId;
      const current = tickets.get(id);
      if (current !== undefined) tickets.set(id, { ...current, status: effect.type === "closeTicket" ? "closed" : "open", updatedAt: effect.at });
      return;
    }
    default: {
      const unknown: never = effect;
      throw new Error(`the oracle does not know effect ${JSON.stringify(unknown)}`);
    }
  }
}

/** What must be equal between the engine's world and the oracle's: ids, subjects, statuses, texts, replies, open ticket, guided flow. */
export function observable(world: World, now: number): string {
  const tickets = [...world.tickets.values()].map((t) => `${t.id} ${t.status} ${t.subject}`).sort();
  const messages = [...world.messages.keys()].sort();
  const replies = [...world.replies.entries()].map(([k, v]) => `${k} → ${v}`).sort();
  const flow = world.state.flow !== undefined && world.state.flow.expiresAt > now ? "awaiting subject" : "no flow";
  return JSON.stringify({ open: world.state.openTicketId ?? null, flow, tickets, messages, replies }, null, 1);
}

/** Every ordering of `items` (the tests keep them to a handful). */
export function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i] as T, ...tail];
  }
}

/** Every subset of `items`. */
export function* subsets<T>(items: readonly T[]): Generator<T[]> {
  for (let mask = 0; mask < 1 << items.length; mask++) yield items.filter((_, i) => (mask & (1 << i)) !== 0);
}
