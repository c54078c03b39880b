import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Storage } from "@google-cloud/storage";
import { startGcsServer, type GcsServer } from "../../../tools/local/gcsServer";

describe("local GCS JSON-API server (tools/local/gcsServer.ts)", () => {
  let server: GcsServer;
  let storage: Storage;
  before(async () => {
    server = await startGcsServer();
    storage = new Storage({ apiEndpoint: server.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
  });
  after(() => server.stop());

  it("uploads, reads metadata, downloads, lists by prefix and deletes", async () => {
    const file = storage.bucket("archive").file("exports/dt=2026-11-21/a.txt");
    await file.save("hello", { resumable: false, metadata: { contentType: "text/plain", metadata: { recordCount: "1" } } });
    const [metadata] = await file.getMetadata();
    assert.equal(metadata.size, "5");
    assert.equal(metadata.metadata?.recordCount, "1");
    const [bytes] = await file.download();
    assert.equal(bytes.toString(), "hello");
    const [files] = await storage.bucket("archive").getFiles({ prefix: "exports/dt=2026-11-21/" });
    assert.deepEqual(files.map((f) => f.name), ["exports/dt=2026-11-21/a.txt"]);
    await file.delete();
    const [exists] = await file.exists();
    assert.equal(exists, false);
  });

  it("honours ifGenerationMatch: 0 creates once, the second create gets 412", async () => {
    const file = storage.bucket("archive").file("once.txt");
    await file.save("first", { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    await assert.rejects(
      file.save("second", { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }),
      (err: { code?: number }) => err.code === 412,
    );
    const [bytes] = await file.download();
    assert.equal(bytes.toString(), "first");
  });

  it("honours ifGenerationMatch with the current generation and rejects a stale one", async () => {
    const file = storage.bucket("archive").file("gen.txt");
    await file.save("v1", { resumable: false });
    const [meta] = await file.getMetadata();
    await assert.rejects(
      file.save("v2", { resumable: false, preconditionOpts: { ifGenerationMatch: Number(meta.generation) + 1 } }),
      (err: { code?: number }) => err.code === 412,
    );
    await file.save("v2", { resumable: false, preconditionOpts: { ifGenerationMatch: Number(meta.generation) } });
    assert.equal((await file.download())[0].toString(), "v2");
  });

  it("updates metadata on the client's /storage/v1 path, honouring ifMetagenerationMatch", async () => {
    const file = storage.bucket("archive").file("meta.txt");
    await file.save("m", { resumable: false, metadata: { metadata: { a: "1" } } });
    const [updated] = await file.setMetadata({ metadata: { b: "2" } }, { ifMetagenerationMatch: 1 });
    assert.deepEqual(updated.metadata, { a: "1", b: "2" });
    await assert.rejects(file.setMetadata({ metadata: { c: "3" } }, { ifMetagenerationMatch: 1 }), (err: { code?: number }) => err.code === 412);
  });

  it("lets exactly one of racing create-only uploads win; the others get 412 and the winner's bytes stay", async () => {
    const file = (n: number) => storage.bucket("archive").file("race.txt").save(`writer ${n}`, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(file));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.ok(results.every((r) => r.status === "fulfilled" || (r.reason as { code?: number }).code === 412));
    const winner = results.findIndex((r) => r.status === "fulfilled") + 1;
    assert.equal((await storage.bucket("archive").file("race.txt").download())[0].toString(), `writer ${winner}`);
  });

  it("serves a generation only while it is the live one, and deletes only at the given generation", async () => {
    const file = storage.bucket("archive").file("generations.txt");
    await file.save("one", { resumable: false });
    const [first] = await file.getMetadata();
    await file.save("two", { resumable: false });
    const [second] = await file.getMetadata();
    assert.ok(BigInt(String(second.generation)) > BigInt(String(first.generation)));
    await assert.rejects(storage.bucket("archive").file("generations.txt", { generation: Number(first.generation) }).download(), (err: { code?: number }) => err.code === 404);
    await assert.rejects(file.delete({ ifGenerationMatch: Number(first.generation) }), (err: { code?: number }) => err.code === 412);
    await file.delete({ ifGenerationMatch: Number(second.generation) });
    assert.equal((await file.exists())[0], false);
  });

  it("keeps objects in a given data directory across a restart", async () => {
    const dataDir = join(__dirname, "..", "..", "..", ".tmp", `gcs-restart-${randomUUID()}`);
    try {
      const first = await startGcsServer({ dataDir });
      const one = new Storage({ apiEndpoint: first.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
      await one.bucket("archive").file("kept/a.gz").save("survives", { resumable: false, metadata: { metadata: { sha256: "x" } } });
      const [before] = await one.bucket("archive").file("kept/a.gz").getMetadata();
      await first.stop();
      const second = await startGcsServer({ dataDir });
      try {
        const two = new Storage({ apiEndpoint: second.endpoint, projectId: "botfleet-local", retryOptions: { autoRetry: false } });
        const again = two.bucket("archive").file("kept/a.gz", { generation: Number(before.generation) });
        assert.equal((await again.download())[0].toString(), "survives");
        assert.equal((await again.getMetadata())[0].metadata?.sha256, "x");
        await two.bucket("archive").file("kept/a.gz").save("newer", { resumable: false });
        const [after] = await two.bucket("archive").file("kept/a.gz").getMetadata();
        assert.ok(BigInt(String(after.generation)) > BigInt(String(before.generation)), "generations keep increasing across restarts");
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses connections while interrupted and serves the same data after resume", async () => {
    const file = storage.bucket("archive").file("kept.txt");
    await file.save("kept", { resumable: false });
    await server.interrupt();
    await assert.rejects(file.download());
    await server.resume();
    assert.equal((await file.download())[0].toString(), "kept");
  });
});
