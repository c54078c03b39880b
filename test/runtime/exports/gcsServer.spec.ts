import { strict as assert } from "node:assert";
import { Storage } from "@google-cloud/storage";
import { startGcsServer, type GcsServer } from "../../../tools/local/gcsServer";

describe("local GCS JSON-API server (in-process Storage emulator)", () => {
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

  it("refuses connections while interrupted and serves the same data after resume", async () => {
    const file = storage.bucket("archive").file("kept.txt");
    await file.save("kept", { resumable: false });
    await server.interrupt();
    await assert.rejects(file.download());
    await server.resume();
    assert.equal((await file.download())[0].toString(), "kept");
  });
});
