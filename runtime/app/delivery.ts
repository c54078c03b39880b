import type { OutboundReplies } from "../adapters/outbound";
import type { ReplyIntent, Store } from "../adapters/store";
import { type Command, parseCommand } from "../domain/commands";
import { appendedMessage, decide, newUserState, readsFor, TICKETS_LISTED } from "../domain/conversation";
import { deliveryHash, type PreviousOutcome, previousOutcome } from "../domain/deliveryMemory";
import { newSalt } from "../domain/ids";
import type { Answer, ConversationSettings, Effect, Inbound, Intent, Ticket, UserKey, UserState } from "../domain/types";
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

/**
 * Decisions lost to a concurrent commit of the same user before giving up with 503 (the platform
 * then retries). Each round one of the contenders commits, so N deliveries of one user at once need
 * at most N rounds; Telegram opens up to 40 connections per bot, but one person rarely fills them.
 */
const MAX_ATTEMPTS = 10;

const SILENT: Answer = { kind: "silent" };

/**
 * Handles one verified delivery so that any set of deliveries from one user — concurrent, retried,
 * failing midway — ends as some serial order of them would. The user's state item is the one point
 * where they serialise (runtime/adapters/README.md has the keys and the round trips):
 *
 * - A plain text while the user has an open ticket (the common case) is claimed in the state item
 *   by one conditional update — atomically checking the open ticket, the absence of a guided
 *   question or unapplied intent, and that the delivery is not remembered — then its message is put
 *   under a key derived from the delivery. It serialises at the claim: nothing a decision reads
 *   changes, and the ticket it goes to and the claiming copy's sentAt (part of the message key) are
 *   recorded with the claim, so any other copy or retry (on any day of the dedupe window, whatever
 *   happened since, whatever sentAt it carries) completes the same message instead of deciding again.
 *   A text decided instead is committed once, its message in the committed intent.
 * - Anything else reads the state, first applies the intent a previous decision left (its effects
 *   are idempotent), decides (pure domain), and commits the new state with the delivery, its answer,
 *   and its effects (with the answer, when it is queued) as the new intent — conditional on the
 *   version read. Only after that commit won are they applied and the intent cleared: a decision
 *   that loses leaves nothing behind, and one that wins but fails midway is finished by its retry or
 *   by the user's next delivery, before that one decides.
 */
export async function deliver(deps: DeliveryDeps, inbound: Inbound, replyRoute?: ReplyRoute): Promise<Delivered> {
  const command = parseCommand(inbound.text);
  if (command.kind === "text") {
    const claim = { delivery: deliveryHash(inbound.deliveryKey), deliveryKey: inbound.deliveryKey, sentAt: inbound.sentAt, now: deps.clock() };
    const ticketId = await deps.store.claimAppend(inbound.user, claim);
    if (ticketId !== undefined) {
      // This copy's sentAt is the one the claim recorded: every other copy will use it too.
      await deps.store.appendMessage(appendedMessage(inbound, ticketId, command.text));
      return { answer: SILENT, duplicate: false };
    }
  }
  return decideAndCommit(deps, inbound, command, replyRoute);
}

async function decideAndCommit(deps: DeliveryDeps, inbound: Inbound, command: Command, replyRoute: ReplyRoute | undefined): Promise<Delivered> {
  const { store, settings } = deps;
  const delivery = deliveryHash(inbound.deliveryKey);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = deps.clock();
    const state = (await store.loadUser(inbound.user)) ?? newUserState(newSalt(), now, settings);
    if (state.intent !== undefined) await applyIntent(deps, state.intent);

    const previous = previousOutcome(state, inbound.deliveryKey, now, settings.dedupeTtlHours);
    if (previous?.kind === "appended") {
      // Claimed on the fast path by an earlier attempt, which may have stopped before the message:
      // written with the claimer's sentAt (the message key includes it), whatever this copy carries.
      if (command.kind === "text") {
        const sentAt = previous.sentAt ?? (await pinLegacySentAt(store, inbound, previous));
        await store.appendMessage(appendedMessage({ ...inbound, sentAt }, previous.ticketId, command.text));
      }
      return { answer: SILENT, duplicate: true };
    }
    if (previous?.kind === "handled") {
      // Whatever its first attempt left undone was in the intent, applied above.
      if (state.intent?.delivery === delivery) await clearIntent(store, inbound.user, delivery);
      return { answer: previous.answer, duplicate: true };
    }

    const read = readsFor(command);
    const ticket = read?.type === "ticket" ? await store.getTicket(read.ticketId) : undefined;
    const tickets = read?.type === "ticketsOfUser" ? await ticketsOf(store, inbound.user, state) : undefined;
    const decision = decide({ state, inbound, command, now, settings, ticket, tickets });
    const reply = replyRoute !== undefined && decision.answer.kind === "text" ? { ...replyRoute, deliveryKey: inbound.deliveryKey, text: decision.answer.text } : undefined;
    const intent: Intent | undefined =
      decision.effects.length > 0 || reply !== undefined ? { delivery, effects: decision.effects, ...(reply === undefined ? {} : { reply }) } : undefined;
    const { intent: _applied, ...decided } = decision.state;
    const after: UserState = intent === undefined ? decided : { ...decided, intent };
    if (!(await store.commitUser(inbound.user, { before: state, after, delivery, now }))) continue;

    if (intent !== undefined) {
      await applyIntent(deps, intent);
      await clearIntent(store, inbound.user, delivery);
    }
    return { answer: decision.answer, duplicate: false };
  }
  throw new StoreUnavailableError(`user state still contended after ${MAX_ATTEMPTS} attempts`);
}

/**
 * A claim stored before claims recorded their sentAt (remembered up to DEDUPE_WINDOW_DAYS after the
 * upgrade): its first completion pins this copy's sentAt in the claim's day, and every later
 * completion uses the pinned one. Known gap, for those claims only: a message the previous code
 * already wrote from a copy with another sentAt is not looked for (that needs a Query of the
 * ticket's partition, which the webhook roles are not granted), so such a redelivery adds one.
 */
async function pinLegacySentAt(store: Store, inbound: Inbound, previous: Extract<PreviousOutcome, { kind: "appended" }>): Promise<number> {
  return (await store.recordAppendSentAt(inbound.user, { day: previous.day, delivery: deliveryHash(inbound.deliveryKey), sentAt: inbound.sentAt })) ?? inbound.sentAt;
}

/**
 * The user's tickets from the byOwner index — which, like every DynamoDB global secondary index, is
 * only eventually consistent: a ticket opened a moment ago may not be there yet. The one the user
 * opened last is known from the state, so it is read consistently and added when the index lags.
 */
async function ticketsOf(store: Store, user: UserKey, state: UserState): Promise<Ticket[]> {
  const listed = await store.ticketsOf(user, TICKETS_LISTED);
  const last = state.lastOpened;
  if (last === undefined || listed.some((t) => t.id === last.id)) return listed;
  const ticket = await store.getTicket(last.id);
  if (ticket === undefined) return listed;
  return [...listed, ticket].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, TICKETS_LISTED);
}

/** Every effect is idempotent (deterministic keys, conditional writes; the reply is queued under its delivery), so any delivery may apply an intent again. */
async function applyIntent(deps: DeliveryDeps, intent: Intent): Promise<void> {
  for (const effect of intent.effects) await apply(deps.store, effect);
  if (intent.reply !== undefined) await deps.outbound.send(intent.reply);
}

async function apply(store: Store, effect: Effect): Promise<void> {
  switch (effect.type) {
    case "createTicket":
      return store.createTicket(effect.ticket);
    case "appendMessage":
      return store.appendMessage(effect.message);
    case "closeTicket":
      return store.setTicketStatus(effect.ticket, "closed", effect.at);
    case "reopenTicket":
      return store.setTicketStatus({ id: effect.ticketId, owner: effect.owner }, "open", effect.at);
  }
}

/**
 * Best effort: the effects are applied and the answer is known, so a failure here must not turn
 * the delivery into an error (Discord and slash commands get no second chance). An intent left
 * behind only costs the next delivery of the user one re-application.
 */
async function clearIntent(store: Store, user: UserKey, delivery: string): Promise<void> {
  try {
    await store.clearIntent(user, delivery);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
  }
}
