import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE, runningStack } from "../../../tools/local/dataDirLock";
import { startLocalStack } from "../../../tools/local/localStack";

const ROOT = join(__dirname, "..", "..", "..");

/** A pid that surely ran and is gone: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.ok(child.pid !== undefined && child.pid > 0);
  return child.pid;
}

describe("local stack: one stack per data directory (lock.json)", () => {
  let dir: string;
  beforeEach(() => {
    dir = join(ROOT, ".tmp", `lock-${randomUUID()}`);
    mkdirSync(dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a second holder naming the first one's pid and URL, and frees the directory on release", () => {
    const first = acquireDataDirLock(dir);
    first.update({ url: "http://127.0.0.1:8787", originVerifySecret: "edge-secret" });
    assert.equal(statSync(join(dir, LOCK_FILE)).mode & 0o777, 0o600, "the record holds the origin secret");
    assert.throws(
      () => acquireDataDirLock(dir),
      (error: unknown) => error instanceof DataDirInUseError && error.message.includes(`pid ${process.pid}`) && error.message.includes("http://127.0.0.1:8787") && !error.message.includes("\n"),
    );
    const record = runningStack(dir);
    assert.equal(record?.pid, process.pid);
    assert.equal(record.url, "http://127.0.0.1:8787");
    assert.equal(record.originVerifySecret, "edge-secret", "npm run send reads the running stack's origin secret here");
    first.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    assert.equal(runningStack(dir), undefined);
    acquireDataDirLock(dir).release();
  });

  it("takes over a stale lock (its pid is gone) and an unreadable one", () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), startedAt: "2026-01-01T00:00:00Z", url: "http://127.0.0.1:9" }));
    assert.equal(runningStack(dir), undefined, "a dead holder is no running stack");
    const taken = acquireDataDirLock(dir);
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid, process.pid);
    taken.release();
    writeFileSync(join(dir, LOCK_FILE), "{half");
    acquireDataDirLock(dir).release();
  });

  it("releasing does not remove a lock that another holder took meanwhile", () => {
    const mine = acquireDataDirLock(dir);
    const someoneElse = { pid: process.ppid, startedAt: new Date().toISOString() };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(someoneElse));
    mine.release();
    assert.ok(existsSync(join(dir, LOCK_FILE)));
  });

  it("a second local stack on a running stack's directory fails at once and --fresh wipes nothing of the first", async function () {
    this.timeout(60_000);
    const first = await startLocalStack({ port: 0, dataDir: dir, fresh: true, environment: {}, logSink: () => undefined, exportEveryMs: 0 });
    try {
      const settings = readFileSync(join(dir, "settings.json"), "utf8");
      await assert.rejects(
        startLocalStack({ port: 0, dataDir: dir, fresh: true, environment: {}, logSink: () => undefined, exportEveryMs: 0 }),
        (error: unknown) => error instanceof DataDirInUseError && error.message.includes(first.url),
      );
      assert.equal(readFileSync(join(dir, "settings.json"), "utf8"), settings);
      assert.equal((await fetch(`${first.url}/health`)).status, 200, "the first stack still serves");
    } finally {
      await first.stop();
    }
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, "stop releases the directory");
  });
});
