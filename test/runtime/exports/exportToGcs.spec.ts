import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { Storage } from "@google-cloud/storage";
import { GcsArchive } from "../../../runtime/adapters/gcsArchive";
import { createLogger } from "../../../runtime/adapters/logger";
import { ExportJobs, MAX_EXPORT_ATTEMPTS } from "../../../runtime/exports/exportJobs";
import { ensureDailyExport, runExport, runRunnableExports, type ExportDependencies } from "../../../runtime/exports/runExport";
import { objectName } from "../../../runtime/exports/writeExport";
import { startGcsServer, type GcsServer } from "../../../tools/local/gcsServer";
import { startDynalite, type LocalDynamo } from "../support/dynalite";
import { seedTickets } from "../../support/seedTickets";

const BUCKET = "botfleet-archive-test";

describe("exports to GCS", () => {
  let dynamo: LocalDynamo;
  const tableName = "botfleet-test";
  let gcs: GcsServer;
  let storage: Storage;
  let deps: ExportDependencies;
  let logs: string[];

  before(async () => {
    [dynamo, gcs] = await Promise.all([startDynalite(), startGcsServer()]);
    await dynamo.createTable(tableName);
    storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
  });
  after(async () => {
    await gcs.stop();
    await dynamo.close();
  });
  beforeEach(() => {
    logs = [];
    deps = {
      documents: dynamo.client,
      tableName: tableName,
      jobs: new ExportJobs(dynamo.client, tableName),
      archive: new GcsArchive(storage, BUCKET),
      logger: createLogger({}, (line) => logs.push(line)),
      now: () => Date.now(),
    };
  });

  // Listing is for the tests only: no runtime path lists, so neither archive identity may (infra/gcp/archive.ts).
  const listObjects = async (prefix: string): Promise<string[]> => {
    const [files] = await storage.bucket(BUCKET).getFiles({ prefix, autoPaginate: true });
    return files.map((file) => file.name);
  };

  const download = async (name: string, generation: string): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of deps.archive.openRead(name, generation)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  it("writes NDJSON and CSV for the range with record count and sha256 metadata, CSV injection-safe", async () => {
    await seedTickets(dynamo.client, tableName, {
      day: "2026-10-01",
      tickets: 3,
      messagesPerTicket: 2,
      subject: (t) => ["=HYPERLINK(\"http://evil\")", "+1 call me", "plain, with \"quotes\""][t] ?? "",
      text: (t, m) => (m === 0 ? "@SUM(A1:A2)" : `-2+3 line\nbreak ${t}`),
    });
    await seedTickets(dynamo.client, tableName, { day: "2026-10-03", tickets: 1, messagesPerTicket: 0 });
    await deps.jobs.create({ id: "exp-small", from: "2026-10-01", to: "2026-10-02", requestedBy: "admin-1" }, Date.now());
    const job = await runExport("exp-small", deps);
    assert.equal(job?.status, "done");
    assert.equal(job.attempts, 1);
    const objects = job.objects ?? [];
    assert.deepEqual(objects.map((o) => o.name), [objectName("exp-small", "2026-10-01", "csv"), objectName("exp-small", "2026-10-01", "ndjson")]);
    assert.deepEqual(await listObjects("exports/dt=2026-10-01/"), objects.map((o) => o.name));

    for (const object of objects) {
      const bytes = await download(object.name, object.generation);
      const stored = await deps.archive.describe(object.name);
      assert.equal(object.recordCount, 9);
      assert.equal(stored?.metadata.recordCount, "9");
      assert.equal(stored?.metadata.sha256, createHash("sha256").update(bytes).digest("hex"));
      assert.equal(object.sha256, stored?.metadata.sha256);
    }
    const ndjson = gunzipSync(await download(objects[1]!.name, objects[1]!.generation)).toString().trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    assert.equal(ndjson.length, 9);
    assert.deepEqual(ndjson.map((r) => r.type), ["ticket", "message", "message", "ticket", "message", "message", "ticket", "message", "message"]);
    assert.equal(ndjson[0]?.subject, "=HYPERLINK(\"http://evil\")", "NDJSON keeps the data as is");

    const csv = gunzipSync(await download(objects[0]!.name, objects[0]!.generation)).toString();
    assert.ok(csv.startsWith("type,ticket_id,platform,"));
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil"")"`));
    assert.ok(csv.includes(",'+1 call me,"));
    assert.ok(csv.includes(",'@SUM(A1:A2),"));
    assert.ok(csv.includes(`"'-2+3 line\nbreak 0"`));
    assert.ok(!/(^|,)[=+\-@]/m.test(csv.replace(/"[^"]*"/g, "")), "no unquoted cell starts with a formula trigger");
  });

  it("GCS stopped mid-upload: the attempt is marked failed, no object is visible, the retry completes", async () => {
    await seedTickets(dynamo.client, tableName, { day: "2026-09-01", tickets: 600, messagesPerTicket: 4 });
    await deps.jobs.create({ id: "exp-fault", from: "2026-09-01", to: "2026-09-01", requestedBy: "admin-1" }, Date.now());
    let uploads = 0;
    const unsubscribe = gcs.onRequest((req) => {
      if (req.method === "POST" && req.url?.startsWith("/upload/") && (uploads += 1) === 1) {
        // Let some bytes flow, then drop every connection and refuse new ones.
        setTimeout(() => void gcs.interrupt(), 10);
      }
    });
    const failed = await runExport("exp-fault", deps);
    unsubscribe();
    assert.equal(failed?.status, "failed");
    assert.equal(failed.attempts, 1);
    assert.ok(failed.error);
    assert.ok(logs.some((line) => line.includes("export attempt failed")));
    await gcs.resume();
    assert.deepEqual(await listObjects("exports/dt=2026-09-01/"), [], "no partial object");

    const [retried] = await runRunnableExports(deps);
    assert.equal(retried?.id, "exp-fault");
    assert.equal(retried.status, "done");
    assert.equal(retried.attempts, 2);
    assert.equal(retried.objects?.[0]?.recordCount, 3000);
    assert.equal((await listObjects("exports/dt=2026-09-01/")).length, 2);
  });

  it("runs an export once: concurrent claims get one winner, a done export is not run again", async () => {
    await deps.jobs.create({ id: "exp-once", from: "2026-10-01", to: "2026-10-01", requestedBy: "admin-1" }, Date.now());
    const [a, b] = await Promise.all([runExport("exp-once", deps), runExport("exp-once", deps)]);
    assert.deepEqual([a?.status, b?.status].filter(Boolean), ["done"]);
    const before = await deps.archive.describe(objectName("exp-once", "2026-10-01", "ndjson"));
    assert.equal(await runExport("exp-once", deps), undefined);
    const afterwards = await deps.archive.describe(objectName("exp-once", "2026-10-01", "ndjson"));
    assert.equal(afterwards?.generation, before?.generation);
  });

  it("a re-run replaces an object left without its checksum and keeps a completed one", async () => {
    await deps.jobs.create({ id: "exp-leftover", from: "2026-10-01", to: "2026-10-01", requestedBy: "admin-1" }, Date.now());
    const leftover = storage.bucket(BUCKET).file(objectName("exp-leftover", "2026-10-01", "csv"));
    await leftover.save("stale bytes", { resumable: false, metadata: { metadata: { exportId: "exp-leftover" } } });
    const job = await runExport("exp-leftover", deps);
    assert.equal(job?.status, "done");
    const csv = job.objects?.find((o) => o.format === "csv");
    assert.equal(csv?.recordCount, 9);
    assert.notEqual((await download(csv.name, csv.generation)).toString(), "stale bytes");
  });

  it("gives up after the maximum attempts and leaves the runnable list", async () => {
    await deps.jobs.create({ id: "exp-doomed", from: "2026-10-01", to: "2026-10-01", requestedBy: "admin-1" }, Date.now());
    const broken = { ...deps, archive: new GcsArchive(new Storage({ apiEndpoint: "http://127.0.0.1:9", projectId: "x", retryOptions: { autoRetry: false } }), BUCKET) };
    for (let attempt = 1; attempt <= MAX_EXPORT_ATTEMPTS; attempt += 1) {
      assert.equal((await runExport("exp-doomed", broken))?.attempts, attempt);
    }
    assert.equal(await runExport("exp-doomed", broken), undefined);
    assert.ok(!(await deps.jobs.runnable(50)).includes("exp-doomed"));
    assert.equal((await deps.jobs.get("exp-doomed"))?.status, "failed");
  });

  it("an attempt that died on its last try (lease expired) ends failed and leaves the runnable list", async () => {
    await deps.jobs.create({ id: "exp-abandoned", from: "2026-10-01", to: "2026-10-01", requestedBy: "admin-1" }, Date.now());
    let clock = Date.now();
    const frozen = { ...deps, now: () => clock };
    for (let attempt = 1; attempt <= MAX_EXPORT_ATTEMPTS; attempt += 1) {
      // Claimed, then the function "times out": nothing records the outcome.
      assert.equal((await deps.jobs.claim("exp-abandoned", clock))?.attempts, attempt);
      clock += 16 * 60_000;
    }
    assert.equal(await runExport("exp-abandoned", frozen), undefined);
    const job = await deps.jobs.get("exp-abandoned");
    assert.equal(job?.status, "failed");
    assert.equal(job.error, "lease_expired");
    assert.ok(!(await deps.jobs.runnable(50)).includes("exp-abandoned"));
  });

  it("the daily export has one id per day, so a repeated schedule creates nothing new", async () => {
    const now = Date.parse("2026-10-02T03:00:00Z");
    const first = await ensureDailyExport({ ...deps, now: () => now });
    const second = await ensureDailyExport({ ...deps, now: () => now + 60_000 });
    assert.equal(first.id, "daily-2026-10-01");
    assert.deepEqual(second, first);
  });
});
