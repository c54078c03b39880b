/**
 * One local stack per data directory. dynalite's leveldb takes the directory for itself, so a
 * second `npm start` on the same `.local/` used to die deep inside leveldb ("Database is closed").
 * Now the first stack holds `<dataDir>/lock.json` (its pid, URL and origin secret, mode 0600) and a
 * second one stops at once with DataDirInUseError naming the holder. A lock whose pid no longer
 * runs (a stack killed with SIGKILL, a crash) is stale and taken over.
 *
 * The lock is created atomically with link(2) from a private temporary file (fails if the name
 * exists), so it is never seen half-written. Taking over a stale lock renames it away first and
 * checks that what was renamed is still the stale one; a fresh lock renamed by mistake is put back.
 */
import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export const LOCK_FILE = "lock.json";

const recordSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  url: z.string().optional(),
  originVerifySecret: z.string().optional(),
});
/** What a running stack records about itself: `npm run send` reads it to reach that stack. */
export type RunningStackRecord = z.infer<typeof recordSchema>;

export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
  constructor(
    readonly dataDir: string,
    readonly holder: RunningStackRecord,
  ) {
    super(
      `${dataDir} is in use by another local stack (pid ${holder.pid}${holder.url === undefined ? "" : `, ${holder.url}`}): ` +
        `stop it, or start this one with --data-dir <another directory>` +
        ` (if pid ${holder.pid} is no botfleet stack, delete ${join(dataDir, LOCK_FILE)})`,
    );
  }
}

export interface DataDirLock {
  /** Adds the stack's URL and origin secret to the record once it listens. */
  update(fields: Pick<RunningStackRecord, "url" | "originVerifySecret">): void;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/** Takes `<dataDir>/lock.json` (dataDir must exist) or throws DataDirInUseError. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  let record: RunningStackRecord = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, record)) return heldLock(file, () => record, (next) => (record = next));
    const holder = readRunningStack(dataDir);
    if (holder !== undefined && isAlive(holder.pid)) throw new DataDirInUseError(dataDir, holder);
    removeIfStill(file, holder);
  }
  throw new Error(`could not take ${file}: it keeps changing`);
}

/** The record of the stack running on `dataDir`, if one is (a stale or unreadable lock is none). */
export function runningStack(dataDir: string): RunningStackRecord | undefined {
  const holder = readRunningStack(dataDir);
  return holder !== undefined && isAlive(holder.pid) ? holder : undefined;
}

function heldLock(file: string, current: () => RunningStackRecord, set: (record: RunningStackRecord) => void): DataDirLock {
  let held = true;
  return {
    update(fields) {
      if (!held) return;
      const next = { ...current(), ...fields };
      set(next);
      // Same directory, so rename(2) replaces the lock atomically: readers see the old or the new record.
      const temporary = `${file}.${randomUUID()}`;
      writeFileSync(temporary, `${JSON.stringify(next)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    },
    release() {
      if (!held) return;
      held = false;
      if (readRecord(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

function tryCreate(file: string, record: RunningStackRecord): boolean {
  const temporary = `${file}.${randomUUID()}`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Moves a stale lock out of the way; if another starter replaced it meanwhile, puts theirs back. */
function removeIfStill(file: string, stale: RunningStackRecord | undefined): void {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readRecord(aside);
  const same = moved === undefined || stale === undefined ? moved === stale : moved.pid === stale.pid && moved.startedAt === stale.startedAt;
  if (!same) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone else created a lock meanwhile: theirs stands, the next attempt reads it.
    }
  }
  rmSync(aside, { force: true });
}

function readRunningStack(dataDir: string): RunningStackRecord | undefined {
  return readRecord(join(dataDir, LOCK_FILE));
}

function readRecord(file: string): RunningStackRecord | undefined {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** kill(pid, 0) tests for existence: EPERM means it runs under another user, ESRCH that it is gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
