import { hash as cryptoHash } from "node:crypto";
import type { Answer, DeliveryRecord, UserState } from "./types";

/**
 * Which deliveries a user's state remembers, and for how long: long enough that no platform's
 * redelivery of a handled delivery is handled again.
 *
 * - Meta (WhatsApp Cloud API, Messenger) retries a webhook it could not deliver "with decreasing
 *   frequency until the request succeeds, for up to 7 days" and may deliver one more than once
 *   (developers.facebook.com/docs/whatsapp/cloud-api/guides/set-up-webhooks).
 * - Telegram keeps an update until the bot takes it, "not longer than 24 hours"
 *   (core.telegram.org/bots/api#getting-updates).
 * - Slack retries an event 3 times: nearly at once, after 1 minute, after 5 minutes
 *   (api.slack.com/apis/events-api#retries). Discord interactions and Slack slash commands are
 *   never redelivered.
 * So every delivery id is kept DEDUPE_WINDOW_DAYS (7 days + a day of margin) — not a count of
 * deliveries: a redelivery on day 3, or after any number of newer deliveries, is recognised.
 */
export const DEDUPE_WINDOW_DAYS = 8;
/** Answers (what a Telegram retry must be answered again) are kept for dedupeTtlHours, and at most this many. */
export const MAX_ANSWERS_KEPT = 50;
/**
 * Bounds on one user's state item (DynamoDB items are at most 400 KB; every write is billed by
 * item size): deliveries handled by `decide` and kept, and plain texts appended on the fast path per
 * day. A user past them is still served (the fast path falls back to `decide`); only the oldest
 * `handled` records are then forgotten before the window ends.
 */
export const MAX_HANDLED = 500;
export const MAX_APPENDS_PER_DAY = 400;

const DAY_MS = 86_400_000;

/** UTC day number (days since the epoch). */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/**
 * Days whose appends a lookup at `now` must search: the window back, and tomorrow too, so a
 * delivery appended by a function whose clock had already passed midnight is still found.
 */
export function windowDays(now: number): number[] {
  const days: number[] = [];
  for (let day = utcDay(now) - DEDUPE_WINDOW_DAYS, last = utcDay(now) + 1; day <= last; day++) days.push(day);
  return days;
}

let lastKey: string | undefined;
let lastHash = "";

/**
 * 96 bits of SHA-256 of the platform's delivery id: a short, fixed-size key (ids are remembered by
 * the thousand), by one crypto.hash call (no Hash object per digest). The last one is kept:
 * handling one delivery asks for its hash three times (the commit, previousOutcome, remember).
 */
export function deliveryHash(deliveryKey: string): string {
  if (deliveryKey !== lastKey) {
    lastHash = cryptoHash("sha256", deliveryKey, "base64url").slice(0, 16);
    lastKey = deliveryKey;
  }
  return lastHash;
}

/**
 * How a delivery was handled before, if it was: by `decide` (with its answer), or appended to a
 * ticket on the fast path — on UTC `day`, with the `sentAt` its claimer recorded (absent for claims
 * stored before it was recorded).
 */
export type PreviousOutcome =
  | { readonly kind: "handled"; readonly answer: Answer }
  | { readonly kind: "appended"; readonly ticketId: string; readonly day: number; readonly sentAt?: number };

const SILENT: Answer = { kind: "silent" };
const has = (record: object, key: string | number) => Object.prototype.hasOwnProperty.call(record, key);

export function previousOutcome(state: UserState, deliveryKey: string, now: number, dedupeTtlHours: number): PreviousOutcome | undefined {
  const hash = deliveryHash(deliveryKey);
  const answerOf = (record: DeliveryRecord): Answer => (record.answer !== undefined && record.at > now - dedupeTtlHours * 3_600_000 ? record.answer : SILENT);
  if (has(state.handled, hash)) return { kind: "handled", answer: answerOf(state.handled[hash] as DeliveryRecord) };
  for (const day of windowDays(now)) {
    const appends = has(state.appended, day) ? state.appended[day] : undefined;
    if (appends !== undefined && has(appends, hash)) {
      const sentAts = state.appendedSentAt !== undefined && has(state.appendedSentAt, day) ? state.appendedSentAt[day] : undefined;
      const sentAt = sentAts !== undefined && has(sentAts, hash) ? Number(sentAts[hash]) : undefined;
      return { kind: "appended", ticketId: String(appends[hash]), day, ...(sentAt === undefined ? {} : { sentAt }) };
    }
  }
  if (state.legacy !== undefined && has(state.legacy, deliveryKey)) return { kind: "handled", answer: answerOf(state.legacy[deliveryKey] as DeliveryRecord) };
  return undefined;
}

/**
 * Records a delivery handled by `decide` and forgets what the window no longer needs: records
 * older than the window, answers older than dedupeTtlHours or beyond the newest MAX_ANSWERS_KEPT,
 * the oldest records past MAX_HANDLED, days of appends (and their sentAt) before the window, and the previous
 * layout's records once all have expired.
 */
export function remember(state: UserState, deliveryKey: string, answer: Answer, now: number, dedupeTtlHours: number): UserState {
  const windowStart = (utcDay(now) - DEDUPE_WINDOW_DAYS) * DAY_MS;
  const answersFrom = now - dedupeTtlHours * 3_600_000;
  const record: DeliveryRecord = answer.kind === "text" ? { at: now, answer } : { at: now };
  const hash = deliveryHash(deliveryKey);
  // One pass to count, then no JS copy at all when nothing is cut or changed (most deliveries): the
  // records are copied as they are. Newest first matters only when something must be cut (records
  // past MAX_HANDLED, answers past MAX_ANSWERS_KEPT), and then the records are sorted.
  const hashes = Object.keys(state.handled);
  let inWindow = 0;
  let liveAnswers = answer.kind === "text" ? 1 : 0;
  let changed = false;
  for (const key of hashes) {
    const kept = state.handled[key] as DeliveryRecord;
    if (kept.at < windowStart) {
      changed = true;
      continue;
    }
    inWindow++;
    if (kept.answer === undefined) continue;
    if (kept.at > answersFrom) liveAnswers++;
    else changed = true;
  }
  let handled: Record<string, DeliveryRecord>;
  if (inWindow > MAX_HANDLED - 1 || liveAnswers > MAX_ANSWERS_KEPT) {
    handled = { [hash]: record };
    const newest = Object.entries(state.handled)
      .filter(([, kept]) => kept.at >= windowStart)
      .sort(([, x], [, y]) => y.at - x.at)
      .slice(0, MAX_HANDLED - 1);
    let answers = answer.kind === "text" ? 1 : 0;
    for (const [key, kept] of newest) {
      const keepAnswer = kept.answer !== undefined && kept.at > answersFrom && answers < MAX_ANSWERS_KEPT;
      if (keepAnswer) answers++;
      handled[key] = keepAnswer ? kept : { at: kept.at };
    }
  } else if (changed) {
    handled = { [hash]: record };
    for (const key of hashes) {
      const kept = state.handled[key] as DeliveryRecord;
      if (kept.at < windowStart) continue;
      handled[key] = kept.answer !== undefined && kept.at <= answersFrom ? { at: kept.at } : kept;
    }
  } else {
    handled = { ...state.handled, [hash]: record };
  }
  const firstDay = utcDay(now) - DEDUPE_WINDOW_DAYS;
  const appended = daysFrom(state.appended, firstDay);
  const appendedSentAt = state.appendedSentAt === undefined ? undefined : daysFrom(state.appendedSentAt, firstDay);
  const legacyLive = state.legacy !== undefined && Object.values(state.legacy).some((r) => r.at > answersFrom);
  const { legacy: _legacy, appendedSentAt: _sentAts, ...rest } = state;
  return { ...rest, handled, appended, ...(appendedSentAt === undefined ? {} : { appendedSentAt }), ...(legacyLive ? { legacy: state.legacy } : {}) };
}

/** The days of `byDay` from `firstDay` on: the same object when none is older (states are never changed in place). */
function daysFrom<T>(byDay: Readonly<Record<string, T>>, firstDay: number): Record<string, T> {
  const days = Object.keys(byDay);
  if (days.every((day) => Number(day) >= firstDay)) return byDay as Record<string, T>;
  return Object.fromEntries(days.filter((day) => Number(day) >= firstDay).map((day) => [day, byDay[day] as T]));
}
