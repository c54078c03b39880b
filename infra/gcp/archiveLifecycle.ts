/**
 * Lifecycle of archived exports, pure so the rules can be read and tested without Pulumi.
 *
 * Live objects move to COLDLINE after `coldAfterDays` and are deleted after `deleteAfterDays`. With
 * versioning on, that delete (or an operator's) only makes the object noncurrent; noncurrent
 * versions are kept another `coldAfterDays` days so a mistake can be noticed and undone, then
 * deleted for good (and still recoverable for the soft-delete window after that).
 */
export interface ArchiveLifecycle {
  readonly coldAfterDays: number;
  readonly deleteAfterDays: number;
}

export interface LifecycleRule {
  readonly action: { readonly type: "SetStorageClass" | "Delete"; readonly storageClass?: "COLDLINE" };
  readonly condition: {
    readonly age?: number;
    readonly matchesStorageClasses?: readonly string[];
    readonly withState?: "LIVE" | "ARCHIVED";
    readonly daysSinceNoncurrentTime?: number;
  };
}

export function archiveLifecycleRules(lifecycle: ArchiveLifecycle): LifecycleRule[] {
  const { coldAfterDays, deleteAfterDays } = lifecycle;
  if (!Number.isInteger(coldAfterDays) || coldAfterDays < 1) throw new Error(`coldAfterDays must be a whole number ≥ 1; got ${coldAfterDays}`);
  if (!Number.isInteger(deleteAfterDays) || deleteAfterDays <= coldAfterDays) {
    throw new Error(`deleteAfterDays must be a whole number greater than coldAfterDays (${coldAfterDays}); got ${deleteAfterDays}`);
  }
  return [
    {
      action: { type: "SetStorageClass", storageClass: "COLDLINE" },
      condition: { age: coldAfterDays, matchesStorageClasses: ["STANDARD"], withState: "LIVE" },
    },
    { action: { type: "Delete" }, condition: { age: deleteAfterDays, withState: "LIVE" } },
    { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: coldAfterDays, withState: "ARCHIVED" } },
  ];
}

const SECONDS_PER_DAY = 24 * 60 * 60;

/** Cloud KMS wants durations as "<seconds>s". */
export function kmsDuration(days: number): string {
  return `${days * SECONDS_PER_DAY}s`;
}

export function daysToSeconds(days: number): number {
  return days * SECONDS_PER_DAY;
}
