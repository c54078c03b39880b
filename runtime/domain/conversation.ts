import { clip, type Command, MAX_MESSAGE_CHARS, MAX_SUBJECT_CHARS } from "./commands";
import { remember } from "./deliveryMemory";
import { ticketIdFor, TICKET_ID } from "./ids";
import { fullBucket, type RateLimit, takeToken } from "./rateLimit";
import type { Answer, ConversationSettings, Effect, Inbound, Ticket, TicketMessage, UserState } from "./types";

/**
 * The bot's conversation rules, as pure functions: given the user's stored state, the inbound text
 * and what the store returned for the reads the command needs, say what to answer, what to write
 * and what the user's state becomes. Every write it asks for is idempotent (keys derive from the
 * delivery), so whoever applies a committed decision's effects may apply them again.
 *
 * Rate limits never drop what a user wrote: every text is stored; the limits apply to what the bot
 * sends back (`rateLimit`, one notice then silence) and to how many tickets a user opens
 * (`ticketOpensPerHour`: past it, the text goes to the open ticket, or reopens the last one).
 */

export type { Effect } from "./types";

export interface Decision {
  readonly answer: Answer;
  readonly effects: readonly Effect[];
  /** The state to store (version unchanged: the store bumps it on commit). */
  readonly state: UserState;
}

/** Reads a command needs before `decide` (the store does them; none for plain text). */
export type Read = { readonly type: "ticket"; readonly ticketId: string } | { readonly type: "ticketsOfUser" };

/** Most tickets /tickets lists. */
export const TICKETS_LISTED = 10;
export const DEFAULT_TICKET_OPENS_PER_HOUR = 5;
/**
 * `/ticket <subject>` again with the same subject within this time, while the ticket it opened is
 * still the user's open ticket, answers that ticket instead of opening a second one. Discord
 * interactions and Slack slash commands are never redelivered: after a 5xx the user runs the command
 * again (a new delivery id), and this is what makes the repeat find what the first attempt left.
 */
export const REPEAT_WINDOW_MS = 10 * 60_000;

export function newUserState(salt: string, now: number, settings: ConversationSettings): UserState {
  return { version: 0, salt, bucket: fullBucket(now, settings.rateLimit), opens: fullBucket(now, opensLimit(settings)), handled: {}, appended: {} };
}

export function opensLimit(settings: ConversationSettings): RateLimit {
  const perHour = settings.ticketOpensPerHour ?? DEFAULT_TICKET_OPENS_PER_HOUR;
  return { capacity: perHour, refillPerMinute: perHour / 60 };
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

interface Outcome {
  readonly state: UserState;
  readonly answer: Answer;
  readonly effects: readonly Effect[];
}

/** The command's outcome, then the send limit on its answer, then the delivery recorded. */
export function decide(input: DecideInput): Decision {
  const { state, now, settings, command } = input;
  const flow = state.flow !== undefined && state.flow.expiresAt > now ? state.flow : undefined;
  const current = withoutFlow(state);
  const outcome = ((): Outcome => {
    switch (command.kind) {
      case "start":
        return { state: current, answer: text(TEXT.welcome, false), effects: [] };
      case "help":
        return { state: current, answer: text(TEXT.help, false), effects: [] };
      case "unknown":
        return { state: current, answer: text(TEXT.unknown(command.name), true), effects: [] };
      case "ticket":
        return command.subject === undefined ? askSubject(current, input) : openTicket(current, input, command.subject);
      case "tickets":
        return { state: current, answer: text(listTickets(input.tickets ?? []), true), effects: [] };
      case "status":
      case "close":
        return ticketCommand(current, input, command.kind, command.ticketId);
      case "text":
        if (flow !== undefined) return openTicket(current, input, command.text);
        if (current.openTicketId !== undefined) {
          return { state: current, answer: SILENT, effects: [{ type: "appendMessage", message: appendedMessage(input.inbound, current.openTicketId, command.text) }] };
        }
        return { state: current, answer: text(TEXT.noOpenTicket, false), effects: [] };
    }
  })();
  const limited = limitAnswer(outcome, now, settings);
  return { answer: limited.answer, effects: outcome.effects, state: remember(limited.state, input.inbound.deliveryKey, limited.answer, now, settings.dedupeTtlHours) };
}

/** The message a plain text becomes on `ticketId` (the store's fast path builds the same one). */
export function appendedMessage(inbound: Inbound, ticketId: string, body: string): TicketMessage {
  return { ticketId, owner: inbound.user, deliveryKey: inbound.deliveryKey, author: "user", text: clip(body, MAX_MESSAGE_CHARS), sentAt: inbound.sentAt };
}

function askSubject(state: UserState, input: DecideInput): Outcome {
  const expiresAt = input.now + input.settings.conversationTtlMinutes * 60_000;
  return { state: { ...state, flow: { step: "awaitingSubject", expiresAt } }, answer: text(TEXT.askSubject, false), effects: [] };
}

function openTicket(state: UserState, input: DecideInput, subjectText: string): Outcome {
  const { now, settings, inbound } = input;
  const subject = clip(subjectText.replace(/\s+/g, " ").trim(), MAX_SUBJECT_CHARS);
  if (subject === "") return askSubject(state, input);
  const last = state.lastOpened;
  if (state.openTicketId !== undefined && last?.id === state.openTicketId && last.subject.toLowerCase() === subject.toLowerCase() && now - last.at <= REPEAT_WINDOW_MS) {
    return { state, answer: text(TEXT.opened(last.id, last.subject), false), effects: [] };
  }
  const limit = opensLimit(settings);
  const opens = takeToken(state.opens ?? fullBucket(now, limit), now, limit);
  const target = state.openTicketId ?? last?.id;
  if (opens.outcome === "limited" && target !== undefined) {
    // Over the ticket limit: nothing the user wrote is dropped — it goes to the open ticket, or
    // reopens the one they opened last.
    const message = appendedMessage(inbound, target, subjectText.trim());
    const reopen: Effect[] = state.openTicketId === undefined ? [{ type: "reopenTicket", ticketId: target, owner: inbound.user, at: now }] : [];
    const answer = state.openTicketId === undefined ? TEXT.openLimitReopened(target, limit.capacity) : TEXT.openLimitAppended(target, limit.capacity);
    return { state: { ...state, opens: opens.bucket, openTicketId: target }, answer: text(answer, false), effects: [...reopen, { type: "appendMessage", message }] };
  }
  const ticket: Ticket = {
    id: ticketIdFor(state.salt, inbound.deliveryKey),
    owner: inbound.user,
    subject,
    status: "open",
    createdAt: inbound.sentAt,
    updatedAt: inbound.sentAt,
  };
  return {
    state: { ...state, opens: opens.bucket, openTicketId: ticket.id, lastOpened: { id: ticket.id, subject, at: now } },
    answer: text(TEXT.opened(ticket.id, subject), false),
    effects: [{ type: "createTicket", ticket }],
  };
}

function ticketCommand(state: UserState, input: DecideInput, kind: "status" | "close", ticketId: string | undefined): Outcome {
  const answerOnly = (answer: Answer): Outcome => ({ state, answer, effects: [] });
  if (ticketId === undefined) return answerOnly(text(TEXT.usage(kind), true));
  const ticket = ownedTicket(input, ticketId);
  if (ticket === undefined) return answerOnly(text(TEXT.notFound, true));
  if (kind === "status") return answerOnly(text(TEXT.status(ticket), true));
  const next = state.openTicketId === ticket.id ? { ...state, openTicketId: undefined } : state;
  if (ticket.status === "closed") return { state: next, answer: text(TEXT.alreadyClosed(ticket.id), true), effects: [] };
  return { state: next, answer: text(TEXT.closed(ticket.id), true), effects: [{ type: "closeTicket", ticket, at: input.now }] };
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

/** A text answer takes a token from the user's bucket; without one: one notice, then silence (the effects still happen). */
function limitAnswer(outcome: Outcome, now: number, settings: ConversationSettings): { state: UserState; answer: Answer } {
  if (outcome.answer.kind !== "text") return outcome;
  const rate = takeToken(outcome.state.bucket, now, settings.rateLimit);
  const state = { ...outcome.state, bucket: rate.bucket };
  if (rate.outcome === "allowed") return { state, answer: outcome.answer };
  return { state, answer: rate.notify ? text(TEXT.slowDown(settings.rateLimit.refillPerMinute), true) : SILENT };
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
  slowDown: (perMinute: number) =>
    `You're sending a lot at once: everything you write is still saved, but I'll answer again in a moment (${perMinute} answers per minute).`,
  openLimitAppended: (id: string, perHour: number) => `You can open ${perHour} tickets per hour, so I added this to your open ticket ${id}.`,
  openLimitReopened: (id: string, perHour: number) => `You can open ${perHour} tickets per hour, so I reopened your last ticket ${id} and added this to it.`,
} as const;
