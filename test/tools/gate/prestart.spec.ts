import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runGate } from "../../../tools/gate/cli";
import { Capture, isRunning } from "./processes";
import { openEngineRelay } from "../../../tools/gate/engineRelay";
import { prestartFor } from "../../../tools/gate/prestart";

const ROOT = path.join(__dirname, "..", "..", "..");

/** This process's children whose command line runs a policy pack (Linux /proc). */
function packChildren(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const parent = /^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        return Number(parent) === process.pid && isRunning(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("run-policy-pack");
      } catch {
        return false;
      }
    });
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 10_000) assert.fail(what);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("plan starts the security pack before the gate's own modules load (prestart)", function () {
  this.timeout(120_000);

  describe("the engine relay the early pack is given", () => {
    it("keeps what a connection sends before the engine exists, and delivers it once forwarded; later connections go straight through", async () => {
      const echo = net.createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
      const relay = await openEngineRelay();
      const [host, port] = relay.address.split(":");
      const exchange = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect(Number(port), host, () => socket.write(text));
          let got = "";
          socket.on("data", (chunk) => {
            got += chunk.toString();
            if (got.length >= text.length) {
              socket.end();
              resolve(got);
            }
          });
          socket.on("error", reject);
        });
      try {
        const early = exchange("logged before the engine was up");
        await new Promise((resolve) => setTimeout(resolve, 50));
        relay.forwardTo(`127.0.0.1:${(echo.address() as net.AddressInfo).port}`);
        assert.equal(await early, "logged before the engine was up");
        assert.equal(await exchange("and after"), "and after");
      } finally {
        await relay.close();
        echo.close();
      }
    });
  });

  it("starts nothing for a command line the gate refuses or that runs no plan", async () => {
    const before = packChildren().length;
    for (const argv of [
      ["plan", "--stack", "qa"],
      ["plan", "--stack", "../prod"],
      ["plan", "--stack", "prod", "--stak", "x"],
      ["plan", "--stack", "prod", "--json", "--sarif"],
      ["plan", "--help"],
      ["plan"],
      ["audit", "--file", "state.json"],
      ["deploy"],
      [],
    ]) {
      assert.equal(await prestartFor(argv), undefined, argv.join(" "));
    }
    assert.equal(packChildren().length, before);
  });

  it("the session takes over the prestarted pack (no second process) and judges with it; the pack stops with the run", async () => {
    const prestarted = await prestartFor(["plan", "--stack", "dev", "--json"]);
    assert.ok(prestarted, "a plan of a known stack starts the pack");
    assert.ok(isRunning(prestarted.pack.pid));
    let used = -1;
    const out = new Capture();
    const err = new Capture();
    const code = await runGate(["plan", "--stack", "dev", "--json"], out, err, false, { prestarted, onPackStart: (pid) => (used = pid) });
    assert.equal(code, 0, err.text);
    assert.equal(used, prestarted.pack.pid, "the prestarted process is the one judged with");
    assert.ok((JSON.parse(out.text) as { resources: unknown[] }).resources.length > 100);
    await waitUntil(() => !isRunning(prestarted.pack.pid), "the pack stops when the run ends");
  });

  it("a run that fails before it opens a session stops the prestarted pack (exit 2, one line)", async () => {
    const prestarted = await prestartFor(["plan", "--stack", "prod"]);
    assert.ok(prestarted);
    // A stack file that does not parse fails before any session opens (the prestart does not read it).
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-prestart-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "config:\n  botfleet:domain: [unclosed\n");
    let opened = false;
    const err = new Capture();
    try {
      const code = await runGate(["plan", "--stack", "prod"], new Capture(), err, false, { prestarted, projectDir: project, onPackStart: () => (opened = true) });
      assert.equal(code, 2);
      assert.match(err.text, /^Pulumi\.prod\.yaml: line \d+/);
      assert.equal(err.text.trim().split("\n").length, 1, err.text);
      assert.equal(opened, false);
      await waitUntil(() => !isRunning(prestarted.pack.pid), "the prestarted pack is stopped");
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
