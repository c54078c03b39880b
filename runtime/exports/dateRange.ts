/** UTC calendar days (YYYY-MM-DD), as exports address them. */
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Longest range one export may cover (days, inclusive): bounds the work of one invocation. */
export const MAX_EXPORT_DAYS = 31;

export function isValidDay(day: string): boolean {
  return DAY.test(day) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Yesterday in UTC relative to `now` (the daily schedule's range). */
export function yesterdayUtc(now: number): string {
  return new Date(Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
}

/** Why a range is refused, or undefined when it is acceptable. */
export function rangeProblem(from: string, to: string, now: number): string | undefined {
  if (!isValidDay(from) || !isValidDay(to)) return "from and to must be dates YYYY-MM-DD";
  if (from > to) return "from must not be after to";
  if (to > new Date(now).toISOString().slice(0, 10)) return "to must not be in the future";
  if (daysBetween(from, to).length > MAX_EXPORT_DAYS) return `a range covers at most ${MAX_EXPORT_DAYS} days`;
  return undefined;
}
