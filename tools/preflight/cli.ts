/**
 * Read-only preflight against the real clouds, for platform teams before a stack's first `pulumi up`:
 *   npm run preflight -- --stack <stack> [--json] [--assume-deploy-role]
 * It checks what the offline gate cannot see: the AWS account's Lambda concurrency, the API
 * certificate in ACM, the Cloudflare zone (plan, name, account, edge certificate, entry-point
 * rulesets) and the GCP APIs, each as one pass/fail line with the fix. What it checks for is read
 * from the program run under mocks for that stack. It only reads: no Create/Put/Update/Delete call.
 * Exit codes: 0 every check passed, 1 a check failed, 2 bad usage, stack config or missing
 * credentials (one line naming the flag, key or variable; no stack trace).
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../infra/config";
import { oneLine, UsageError } from "../gate/errors";
import { isKnownStack, stackList } from "../gate/stacks";
import { type ProgramRun, runProgram } from "../program/runUnderMocks";
import { StackConfigError } from "../program/stackConfig";
import { awsChecks, awsClients } from "./aws";
import { cloudflareApi, cloudflareChecks } from "./cloudflare";
import { expectationsFrom } from "./expectations";
import { gcpChecks, gcpToken } from "./gcp";
import { type CheckResult, MissingCredentialsError } from "./result";

export const USAGE = `usage: npm run preflight -- --stack <stack> [--json] [--assume-deploy-role]

Read-only checks against AWS, Cloudflare and GCP of what the offline gate cannot see.
stacks:       ${stackList()} (Pulumi.<stack>.yaml)
credentials:  AWS default chain (--assume-deploy-role: then assume botfleet:awsDeployRoleArn),
              CLOUDFLARE_API_TOKEN, Google Application Default Credentials (or GOOGLE_OAUTH_ACCESS_TOKEN)
output:       one PASS/FAIL line per check with the fix; --json for CI
exit:         0 all passed, 1 a check failed, 2 bad usage, stack config or missing credentials`;

interface Options {
  readonly help: boolean;
  readonly stack?: string;
  readonly json: boolean;
  readonly assumeRole: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  let values: { stack?: string; json?: boolean; help?: boolean; "assume-deploy-role"?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { stack: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" }, "assume-deploy-role": { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${((err as Error).message.split(/\.\s/)[0] ?? "bad arguments").replace(/\.$/, "")} (--help for usage)`);
  }
  if (values.help) return { help: true, json: false, assumeRole: false };
  if (values.stack === undefined) throw new UsageError(`preflight needs --stack ${stackList("|")} (--help for usage)`);
  if (!isKnownStack(values.stack)) throw new UsageError(`--stack must be one of ${stackList()}, got ${JSON.stringify(values.stack)}`);
  return { help: false, stack: values.stack, json: values.json === true, assumeRole: values["assume-deploy-role"] === true };
}

export interface PreflightHooks {
  /** The program run for the stack (default: run it under mocks now). */
  readonly run?: (stack: string) => Promise<ProgramRun>;
  /** Environment the credentials and endpoint overrides are read from (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export function formatText(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  return results.map((r) => `${r.ok ? "PASS" : "FAIL"}  ${r.id.padEnd(width)}  ${r.detail}${r.ok ? "" : `\n      fix: ${r.fix ?? ""}`}`).join("\n");
}

/** Runs the preflight and returns the exit code; output goes to the given streams. */
export async function runPreflight(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, hooks: PreflightHooks = {}): Promise<number> {
  const env = hooks.env ?? process.env;
  try {
    const options = parseOptions(argv);
    if (options.help) {
      out.write(`${USAGE}\n`);
      return 0;
    }
    const stack = options.stack as string;
    const run = await (hooks.run ?? ((s: string) => runProgram(s, { lean: true })))(stack);
    const expect = expectationsFrom(stack, run.settings, run.resources);
    // Every cloud's credentials first: a missing one is a usage problem, reported before any check.
    const [aws, cloudflare, google] = await Promise.allSettled([awsClients(expect, options.assumeRole), Promise.resolve().then(() => cloudflareApi(env)), gcpToken(env)]);
    const missing = [aws, cloudflare, google].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
    if (missing.length > 0) {
      for (const reason of missing) err.write(`${oneLine(reason instanceof MissingCredentialsError ? reason.message : `credentials: ${reason instanceof Error ? reason.message : String(reason)}`)}\n`);
      return 2;
    }
    const settled = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
    const results = (await Promise.all([awsChecks(expect, settled(aws)), cloudflareChecks(expect, settled(cloudflare)), gcpChecks(expect, settled(google), env)])).flat();
    out.write(options.json ? `${JSON.stringify({ stack, ok: results.every((r) => r.ok), checks: results })}\n` : `${formatText(results)}\n`);
    return results.every((r) => r.ok) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) err.write(`${oneLine(error.message)}\n`);
    else if (error instanceof ConfigError) err.write(`${oneLine(error.problems.join("; "))}\n`);
    else if (error instanceof StackConfigError) err.write(`${oneLine(error.message)}\n`);
    else err.write(`preflight failed: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
}

if (require.main === module) {
  const failHard = (error: unknown) => {
    process.stderr.write(`preflight failed: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(2);
  };
  process.on("unhandledRejection", failHard);
  process.on("uncaughtException", failHard);
  void runPreflight(process.argv.slice(2), process.stdout, process.stderr).then((code) => {
    process.exitCode = code;
  });
}
