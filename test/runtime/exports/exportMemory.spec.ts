import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Storage } from "@google-cloud/storage";
import { GcsArchive } from "../../../runtime/adapters/gcsArchive";
import { createLogger } from "../../../runtime/adapters/logger";
import { ExportJobs } from "../../../runtime/exports/exportJobs";
import { runExport } from "../../../runtime/exports/runExport";
import { startGcsServer, type GcsServer } from "../../../tools/local/gcsServer";
import { seedTickets } from "../../support/seedTickets";
import { startDynalite, type LocalDynamo } from "../support/dynalite";

const TABLE = "botfleet-export-memory";
const TICKETS = 4_000;
const MESSAGES_PER_TICKET = 4;
const MB = 1024 * 1024;

/** A full GC on demand (mocha runs without --expose-gc): retained memory, not garbage, is what must stay bounded. */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("export memory", function () {
  // A memory bound, not a speed check: seeding and streaming 20k records with a full GC every 4 s
  // takes ~20 s on a quiet machine and passed 180 s on a loaded 2-core one.
  this.timeout(600_000);
  let dynamo: LocalDynamo;
  let gcs: GcsServer;

  before(async () => {
    [dynamo, gcs] = await Promise.all([startDynalite(), startGcsServer()]);
    await dynamo.createTable(TABLE);
    // ~1,200 characters of hex per message: every record rendered and held at once would need more
    // heap than the 48 MB bound below (20k records × 2 formats ≈ 50 MB of output text alone, plus the
    // record objects), while streaming holds a few pages at a time.
    const filler = randomBytes(600).toString("hex");
    await seedTickets(dynamo.client, TABLE, { day: "2026-08-01", tickets: TICKETS, messagesPerTicket: MESSAGES_PER_TICKET, text: (t, m) => `${t}/${m} ${filler}` });
  });
  after(async () => {
    await gcs.stop();
    await dynamo.close();
  });

  it("streams 20,000 records (about 50 MB of output) with bounded heap growth", async () => {
    const storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
    const jobs = new ExportJobs(dynamo.client, TABLE);
    await jobs.create({ id: "exp-20k", from: "2026-08-01", to: "2026-08-01", requestedBy: "admin-1" }, Date.now());
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    let samples = 0;
    const sampler = setInterval(() => {
      gc();
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
      samples += 1;
    }, 4000);
    const started = Date.now();
    const job = await runExport("exp-20k", {
      documents: dynamo.client,
      tableName: TABLE,
      jobs,
      archive: new GcsArchive(storage, "botfleet-archive"),
      logger: createLogger({}, () => undefined),
      now: Date.now,
    });
    clearInterval(sampler);
    assert.equal(job?.status, "done");
    const records = TICKETS * (1 + MESSAGES_PER_TICKET);
    assert.deepEqual(job.objects?.map((o) => o.recordCount), [records, records]);
    const heapGrowth = (peakHeap - baseline.heapUsed) / MB;
    const rssGrowth = (peakRss - baseline.rss) / MB;
    // Retained heap after a full GC, sampled through the run. The in-process GCS emulator buffers each
    // upload body (a Buffer, outside the heap); RSS includes that and is reported, the heap is asserted.
    console.log(`      retained heap growth ${heapGrowth.toFixed(1)} MB, RSS growth ${rssGrowth.toFixed(1)} MB for ${records} records (${samples} samples, ${Date.now() - started} ms)`);
    assert.ok(samples >= 2, "sampled during the export");
    assert.ok(heapGrowth < 48, `heap grew ${heapGrowth.toFixed(1)} MB`);
  });
});
