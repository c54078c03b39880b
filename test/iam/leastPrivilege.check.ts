/**
 * Least privilege, proven from the calls the code really made: run after the whole suite
 * (`npm test` runs it as its last mocha invocation) on .tmp/cloud-calls.json, which
 * callRecorder.ts wrote while the handler suites ran.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { HANDLERS } from "../../runtime/routes";
import { CALLS_FILE } from "./callRecorder";
import type { RecordedCall } from "./cloudCalls";
import { formatTable, judgeHandler, type Row } from "./judge";

describe("least privilege, from the calls each handler made during the test suite", () => {
  let calls: RecordedCall[];
  const judgements = new Map<string, ReturnType<typeof judgeHandler>>();

  before(() => {
    assert.ok(existsSync(CALLS_FILE), `${CALLS_FILE} is missing: run the whole suite first (npm test)`);
    calls = (JSON.parse(readFileSync(CALLS_FILE, "utf8")) as { calls: RecordedCall[] }).calls;
    for (const handler of HANDLERS) judgements.set(handler, judgeHandler(handler, calls));
    const rows: Row[] = [...judgements.values()].flatMap((j) => j.rows);
    process.stdout.write(`\n${formatTable(rows)}\n\n`);
  });

  it("recorded calls from handlers (the recorder works)", () => {
    assert.ok(calls.length > 0);
  });

  for (const handler of HANDLERS) {
    it(`${handler}: every call it made is granted by its IAM declaration`, () => {
      const notGranted = judgements.get(handler)?.notGranted ?? [];
      assert.deepEqual(
        notGranted.map((r) => `${r.action} ${r.resource}`),
        [],
        `${handler} made calls infra/aws/access.ts (or the GCS archive role) does not grant`,
      );
    });

    it(`${handler}: every action its declaration grants was exercised by some test`, () => {
      const unexercised = judgements.get(handler)?.unexercised ?? [];
      assert.deepEqual(
        unexercised.map((r) => `${r.action} ${r.resource}`),
        [],
        `${handler}: granted but never used in the suite — remove the grant or test the path that needs it`,
      );
    });
  }
});
