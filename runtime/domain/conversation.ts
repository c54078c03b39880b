import { clip, type Command, MAX_MESSAGE_CHARS, MAX_SUBJECT_CHARS } from "./commands";
import { ticketIdFor, TICKET_ID } from "./ids";
import { fullBucket, takeToken } from "./rateLimit";
import type {
  Answer,
  ConversationSettings,
  DeliveryRecord,
  Inbound,
  Ticket,
  TicketMessage,
  UserState,
} from "./types";

/**
 * The bot's conversation rules, as pure functions: given the user's stored state, the inbound text
 * and what the store returned for the reads the command needs, say what to answer, what to write
 * and what the user's state becomes. Every write it asks for is idempotent (keyed by the delivery).
 */

export type Effect =
  | { readonly type: "createTicket"; readonly ticket: Ticket }
  | { readonly type: "appendMessage"; readonly message: TicketMessage }
  | { readonly type: "closeTicket"; readonly ticket: Ticket; readonly at: number };

export interface Decision {
  readonly answer: Answer;
  readonly effects: readonly Effect[];
  /** The state to store (version unchanged: the store bumps it on commit). */
  readonly state: UserState;
}

/** Reads a command needs before `decide` (the store does them; none for plain text). */
export type Read = { readonly type: "ticket"; readonly ticketId: string } | { readonly type: "ticketsOfUser" };

/** Most deliveries remembered per user for retries; older ones also expire after dedupeTtlHours. */
export const MAX_REMEMBERED_DELIVERIES = 50;
/** Most tickets /tickets lists. */
export const TICKETS_LISTED = 10;

export function newUserState(salt: string, now: number, settings: ConversationSettings): UserState {
  return { version: 0, salt, bucket: fullBucket(now, settings.rateLimit), recent: {} };
}

/** A retry of a delivery this user already had handled: its recorded answer. */
export function recordedAnswer(state: UserState, deliveryKey: string): Answer | undefined {
  return Object.prototype.hasOwnProperty.call(state.recent, deliveryKey) ? state.recent[deliveryKey]?.answer : undefined;
}

export function readsFor(command: Command): Read | undefined {
  if ((command.kind === "status" || command.kind === "close") && command.ticketId !== undefined && TICKET_ID.test(command.ticketId)) {
    return { type: "ticket", ticketId: command.ticketId };
  }
  if (command.kind === "tickets") return { type: "ticketsOfUser" };
  return undefined;
}

export interface DecideInput {
  readonly state: UserState;
  readonly inbound: Inbound;
  readonly command: Command;
  readonly now: number;
  readonly settings: ConversationSettings;
  /** Result of a `ticket` read (undefined = not found). */
  readonly ticket?: Ticket;
  /** Result of a `ticketsOfUser` read, newest first. */
  readonly tickets?: readonly Ticket[];
}

/** Rate limit first (a limited delivery has no effect), then the command. */
export function decide(input: DecideInput): Decision {
  const { state, now, settings } = input;
  const rate = takeToken(state.bucket, now, settings.rateLimit);
  if (rate.outcome === "limited") {
    const answer: Answer = rate.notify ? text(TEXT.slowDown(settings.rateLimit.refillPerMinute), true) : SILENT;
    return finish({ ...state, bucket: rate.bucket }, input, answer, []);
  }
  const flow = state.flow !== undefined && state.flow.expiresAt > now ? state.flow : undefined;
  const current: UserState = { ...withoutFlow(state), bucket: rate.bucket };
  const { command } = input;
  switch (command.kind) {
    case "start":
      return finish(current, input, text(TEXT.welcome, false), []);
    case "help":
      return finish(current, input, text(TEXT.help, false), []);
    case "unknown":
      return finish(current, input, text(TEXT.unknown(command.name), true), []);
    case "ticket":
      if (command.subject === undefined) {
        const expiresAt = now + settings.conversationTtlMinutes * 60_000;
        return finish({ ...current, flow: { step: "awaitingSubject", expiresAt } }, input, text(TEXT.askSubject, false), []);
      }
      return openTicket(current, input, command.subject);
    case "tickets":
      return finish(current, input, text(listTickets(input.tickets ?? []), true), []);
    case "status":
    case "close":
      return ticketCommand(current, input, command.kind, command.ticketId);
    case "text":
      if (flow !== undefined) return openTicket(current, input, command.text);
      if (current.openTicketId !== undefined) return appendToTicket(current, input, current.openTicketId, command.text);
      return finish(current, input, text(TEXT.noOpenTicket, false), []);
  }
}

function openTicket(state: UserState, input: DecideInput, subjectText: string): Decision {
  const subject = clip(subjectText.replace(/\s+/g, " ").trim(), MAX_SUBJECT_CHARS);
  if (subject === "") return finish({ ...state, flow: undefined }, input, text(TEXT.askSubject, false), []);
  const ticket: Ticket = {
    id: ticketIdFor(state.salt, input.inbound.deliveryKey),
    owner: input.inbound.user,
    subject,
    status: "open",
    createdAt: input.inbound.sentAt,
    updatedAt: input.inbound.sentAt,
  };
  return finish({ ...state, openTicketId: ticket.id }, input, text(TEXT.opened(ticket.id, subject), false), [
    { type: "createTicket", ticket },
  ]);
}

function appendToTicket(state: UserState, input: DecideInput, ticketId: string, body: string): Decision {
  const message: TicketMessage = {
    ticketId,
    owner: input.inbound.user,
    deliveryKey: input.inbound.deliveryKey,
    author: "user",
    text: clip(body, MAX_MESSAGE_CHARS),
    sentAt: input.inbound.sentAt,
  };
  return finish(state, input, SILENT, [{ type: "appendMessage", message }]);
}

function ticketCommand(state: UserState, input: DecideInput, kind: "status" | "close", ticketId: string | undefined): Decision {
  if (ticketId === undefined) return finish(state, input, text(TEXT.usage(kind), true), []);
  const ticket = ownedTicket(input, ticketId);
  if (ticket === undefined) return finish(state, input, text(TEXT.notFound, true), []);
  if (kind === "status") return finish(state, input, text(TEXT.status(ticket), true), []);
  const next = state.openTicketId === ticket.id ? { ...state, openTicketId: undefined } : state;
  if (ticket.status === "closed") return finish(next, input, text(TEXT.alreadyClosed(ticket.id), true), []);
  return finish(next, input, text(TEXT.closed(ticket.id), true), [{ type: "closeTicket", ticket, at: input.now }]);
}

/** Another user's ticket answers exactly like a missing one: ids never confirm someone else's ticket. */
function ownedTicket(input: DecideInput, ticketId: string): Ticket | undefined {
  const t = input.ticket;
  if (t === undefined || t.id !== ticketId) return undefined;
  const me = input.inbound.user;
  return t.owner.platform === me.platform && t.owner.userId === me.userId ? t : undefined;
}

function listTickets(tickets: readonly Ticket[]): string {
  if (tickets.length === 0) return TEXT.noTickets;
  const lines = tickets.slice(0, TICKETS_LISTED).map((t) => `• ${t.id} [${t.status}] ${t.subject}`);
  return `Your tickets, newest first:\n${lines.join("\n")}`;
}

/** Records the delivery with its answer and forgets old ones, so the state item stays small. */
function finish(state: UserState, input: DecideInput, answer: Answer, effects: readonly Effect[]): Decision {
  const oldest = input.now - input.settings.dedupeTtlHours * 3_600_000;
  const kept = Object.entries(state.recent)
    .filter(([, record]) => record.at > oldest)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_REMEMBERED_DELIVERIES - 1);
  const recent: Record<string, DeliveryRecord> = Object.fromEntries(kept);
  recent[input.inbound.deliveryKey] = { answer, at: input.now };
  return { answer, effects, state: { ...state, recent } };
}

function withoutFlow(state: UserState): UserState {
  const { flow: _flow, ...rest } = state;
  return rest;
}

const SILENT: Answer = { kind: "silent" };
const text = (value: string, isPrivate: boolean): Answer => ({ kind: "text", text: value, private: isPrivate });

export const TEXT = {
  welcome:
    "Hi! I'm the support bot. Open a ticket with /ticket <subject> (or just /ticket and I'll ask), then write to me: your messages go to the ticket. /help lists everything.",
  help: [
    "/ticket <subject> — open a ticket (or /ticket alone, then send the subject)",
    "/tickets — your tickets, newest first",
    "/status <id> — a ticket's status",
    "/close <id> — close a ticket",
    "Anything else you write goes to your open ticket.",
  ].join("\n"),
  askSubject: "What is your ticket about? Send the subject as your next message.",
  noOpenTicket: "You have no open ticket. Open one with /ticket <subject>.",
  noTickets: "You have no tickets yet. Open one with /ticket <subject>.",
  notFound: "No such ticket.",
  unknown: (name: string) => `Unknown command /${clip(name, 32)}. Try /help.`,
  usage: (kind: "status" | "close") => `Usage: /${kind} <ticket id> (see /tickets).`,
  opened: (id: string, subject: string) => `Ticket ${id} opened: ${subject}\nWrite your messages here; /close ${id} when done.`,
  status: (t: Ticket) => `Ticket ${t.id} [${t.status}] ${t.subject}\nopened ${new Date(t.createdAt).toISOString()}, updated ${new Date(t.updatedAt).toISOString()}`,
  closed: (id: string) => `Ticket ${id} closed.`,
  alreadyClosed: (id: string) => `Ticket ${id} is already closed.`,
  slowDown: (perMinute: number) => `You're sending messages too fast; I'll read new ones again in a moment (${perMinute} per minute).`,
} as const;
