/**
 * Least privilege, proven from the calls the code really made: run after the whole suite
 * (`npm test` runs it as its last mocha invocation) on the file BOTFLEET_CALLS_FILE names, which
 * callRecorder.ts wrote while the handler suites of the same run ran. What is granted is what the
 * program renders for the dev stack (run under mocks): each role's policy, the key, queue and topic
 * policies, the archive's GCP bindings; an IAM evaluation engine decides (judge.ts).
 */
import { strict as assert } from "node:assert";
import { ACCESS } from "../../infra/aws/access";
import { HANDLERS } from "../../runtime/routes";
import { runProgram } from "../../tools/program/runUnderMocks";
import { CALLS_FILE_ENV, callsFile, readRecordedCalls } from "./callRecorder";
import type { RecordedCall } from "./cloudCalls";
import { worldFromProgram } from "./iamWorld";
import { formatTable, judgeHandler, type Judgement, type Row } from "./judge";

/**
 * Findings this check made that belong to other parts of the project and are not fixed yet. Each is
 * listed (pending) on every run; the check fails on any finding not listed here, and on a listed
 * one that no longer occurs (remove it when fixed).
 */
const KNOWN_GAPS: readonly { handler: string; kind: "notGranted" | "unexercised"; finding: string; why: string }[] = HANDLERS.filter(
  (handler) => ACCESS[handler].table.length > 0 || ACCESS[handler].indexes.length > 0,
).flatMap((handler) =>
  ["kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"].map((action) => ({
    handler,
    kind: "unexercised" as const,
    finding: `${action} key/backend-keys-data-id via dynamodb`,
    why:
      "infra/aws/functionPolicy.ts DATA_KEY_USE.dynamodb: DynamoDB uses only kms:Decrypt (the table key) with the caller's credentials when a table is read or written; DescribeKey and GenerateDataKey are used when the table key is created, by its creator (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html)",
  })),
);

/** The stack whose rendered policies are judged (dev and prod render the same grants, other accounts). */
const STACK = "dev";

describe("least privilege, from the calls each handler made during the test suite", () => {
  let calls: RecordedCall[];
  const judgements = new Map<string, Judgement>();

  before(async () => {
    const file = callsFile();
    const recorded = file === undefined ? undefined : readRecordedCalls(file);
    assert.ok(recorded !== undefined, `${CALLS_FILE_ENV} must name the calls the whole suite recorded: run npm test (or npm run test:unit)`);
    calls = recorded;
    const run = await runProgram(STACK, { lean: true });
    const world = worldFromProgram(run.resources, run.settings.aws.accountId, run.settings.aws.region, run.settings.prefix);
    for (const handler of HANDLERS) judgements.set(handler, await judgeHandler(world, handler, calls));
    const rows: Row[] = [...judgements.values()].flatMap((j) => j.rows);
    process.stdout.write(`\n${formatTable(rows)}\n\n`);
  });

  it("recorded calls from handlers (the recorder works)", () => {
    assert.ok(calls.length > 0);
  });

  const findings = (handler: string, kind: "notGranted" | "unexercised") => [...new Set((judgements.get(handler)?.[kind] ?? []).map((r) => `${r.action} ${r.resource.replace(/ keys .*$/, "")}`))];
  const known = (handler: string, kind: "notGranted" | "unexercised") => KNOWN_GAPS.filter((g) => g.handler === handler && g.kind === kind).map((g) => g.finding);

  for (const handler of HANDLERS) {
    it(`${handler}: every call it made is granted by its IAM declaration`, () => {
      assert.deepEqual(findings(handler, "notGranted"), known(handler, "notGranted"), `${handler} made calls infra/aws/access.ts (or the GCS archive role) does not grant`);
    });

    it(`${handler}: every action its declaration grants was exercised by some test`, () => {
      assert.deepEqual(
        findings(handler, "unexercised"),
        known(handler, "unexercised"),
        `${handler}: granted but never used in the suite — remove the grant or test the path that needs it`,
      );
    });
  }

  for (const gap of KNOWN_GAPS) {
    it(`KNOWN GAP (${gap.handler}, ${gap.kind}): ${gap.finding} — ${gap.why}`, function () {
      this.skip();
    });
  }
});
