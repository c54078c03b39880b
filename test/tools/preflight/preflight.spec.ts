/**
 * `npm run preflight` against LOCAL STAND-INS of the AWS (Lambda, STS, ACM), Cloudflare and
 * Service Usage APIs (test/support/cloud): no local server of a cloud's control plane exists, so
 * each stand-in answers with the response shapes its API reference documents (cited in each file)
 * and refuses — and records — anything that is not a read. The program itself is run once under
 * mocks for the dev stack, as the tool does; the expected values come from that run.
 */
import { strict as assert } from "node:assert";
import { PassThrough } from "node:stream";
import { runProgram, type ProgramRun } from "../../../tools/program/runUnderMocks";
import { runPreflight } from "../../../tools/preflight/cli";
import { CLOUDFLARE_API_URL_ENV, hostCovers, requiredPlan } from "../../../tools/preflight/cloudflare";
import { expectationsFrom, type Expectations } from "../../../tools/preflight/expectations";
import { SERVICE_USAGE_URL_ENV } from "../../../tools/preflight/gcp";
import { type AwsStandIns, type AwsState, startAwsStandIns } from "../../support/cloud/awsControlPlane";
import { type CloudflareStandIn, type CloudflareState, startCloudflareStandIn } from "../../support/cloud/cloudflareApi";
import { type ServiceUsageStandIn, type ServiceUsageState, startServiceUsageStandIn } from "../../support/cloud/serviceUsage";

interface Outcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

describe("npm run preflight (read-only checks against documented stand-ins of the cloud APIs)", () => {
  let run: ProgramRun;
  let expect: Expectations;
  let aws: AwsStandIns;
  let cloudflare: CloudflareStandIn;
  let serviceUsage: ServiceUsageStandIn;
  let awsState: AwsState;
  let cloudflareState: CloudflareState;
  let gcpState: ServiceUsageState;
  const savedEnv = { ...process.env };

  const healthy = () => {
    awsState = { quota: 1000, unreserved: 1000, reserved: {}, callerAccount: run.settings.aws.accountId, certificates: [] };
    const needed = requiredPlan(expect).plan;
    cloudflareState = {
      token: "cf-token",
      // The configured zone: the sample stacks' API host is a first-level name of it, which Universal SSL covers.
      zone: { id: run.settings.cloudflare.zoneId, name: run.settings.cloudflare.zoneName, accountId: run.settings.cloudflare.accountId, plan: needed },
      universalSsl: true,
      packs: [],
      entrypoints: {},
    };
    gcpState = { token: "gcp-token", project: run.settings.gcp.project, enabled: [...expect.gcpApis, "serviceusage.googleapis.com"] };
  };

  before(async function () {
    this.timeout(120_000);
    run = await runProgram("dev", { lean: true });
    expect = expectationsFrom("dev", run.settings, run.resources);
    healthy();
    // Each stand-in reads its state object at request time: tests change fields of these objects.
    const live = <T extends object>(get: () => T): T => new Proxy({} as T, { get: (_t, key) => (get() as Record<string | symbol, unknown>)[key] });
    [aws, cloudflare, serviceUsage] = await Promise.all([startAwsStandIns(live(() => awsState)), startCloudflareStandIn(live(() => cloudflareState)), startServiceUsageStandIn(live(() => gcpState))]);
  });

  beforeEach(() => {
    healthy();
    // The AWS SDK reads credentials and the documented service-specific endpoint variables from the process environment.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
      AWS_SECRET_ACCESS_KEY: "example",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_ENDPOINT_URL_LAMBDA: aws.lambda.endpoint,
      AWS_ENDPOINT_URL_STS: aws.sts.endpoint,
      AWS_ENDPOINT_URL_ACM: aws.acm.endpoint,
    });
    delete process.env.AWS_PROFILE;
  });

  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  after(async () => {
    await Promise.all([aws?.stop(), cloudflare?.stop(), serviceUsage?.stop()]);
    // Nothing any test did may have written: every write would have been refused and recorded.
    assert.deepEqual([...(aws?.refused ?? []), ...(cloudflare?.refused ?? []), ...(serviceUsage?.refused ?? [])], []);
  });

  const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    CLOUDFLARE_API_TOKEN: "cf-token",
    [CLOUDFLARE_API_URL_ENV]: `${cloudflare.endpoint}/client/v4`,
    GOOGLE_OAUTH_ACCESS_TOKEN: "gcp-token",
    [SERVICE_USAGE_URL_ENV]: serviceUsage.endpoint,
    ...extra,
  });

  const preflight = async (args: readonly string[] = ["--stack", "dev"], extraEnv: Record<string, string | undefined> = {}, program: ProgramRun = run): Promise<Outcome> => {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks = { out: "", err: "" };
    out.on("data", (c: Buffer) => (chunks.out += c.toString()));
    err.on("data", (c: Buffer) => (chunks.err += c.toString()));
    const code = await runPreflight(args, out, err, { run: () => Promise.resolve(program), env: env(extraEnv) });
    return { code, ...chunks };
  };

  const failing = (o: Outcome) => o.out.split("\n").filter((l) => l.startsWith("FAIL")).map((l) => l.split(/\s{2,}/)[1]);

  it("passes on accounts that can take the stack: one PASS line per check, exit 0, JSON for CI", async () => {
    const text = await preflight();
    assert.equal(text.code, 0, text.out + text.err);
    const ids = text.out.split("\n").filter((l) => l !== "").map((l) => l.split(/\s{2,}/)[1]);
    assert.deepEqual(ids.sort(), ["acm certificate", "aws identity", "cloudflare account", "cloudflare plan", "cloudflare zone", "edge certificate", "gcp apis", "gcp project", "lambda concurrency", ...[...expect.rulesetPhases.keys()].map((p) => `ruleset ${p}`)].sort());
    const json = await preflight(["--stack", "dev", "--json"]);
    const parsed = JSON.parse(json.out) as { stack: string; ok: boolean; checks: { id: string; ok: boolean }[] };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.checks.length, ids.length);
  });

  it("derives what it checks from the program: reserved concurrency, ruleset phases, the certificate's domain, GCP APIs", () => {
    assert.equal(expect.functions.length, run.resources.filter((r) => r.type === "aws:lambda/function:Function").length);
    assert.ok(expect.functions.every((f) => f.reserved === (run.settings.functions.reservedConcurrency ?? 0)));
    assert.deepEqual([...expect.rulesetPhases.keys()].sort(), run.resources.filter((r) => r.type === "cloudflare:index/ruleset:Ruleset").map((r) => String(r.inputs.phase)).sort());
    assert.equal(expect.certificateDomain, run.settings.apiHostname);
    assert.ok(["sts.googleapis.com", "iamcredentials.googleapis.com", "storage.googleapis.com", "cloudkms.googleapis.com", "iam.googleapis.com"].every((api) => expect.gcpApis.includes(api)));
  });

  it("passes a new account's quota of 10 when nothing is reserved, and refuses a stated quota above the real one", async () => {
    assert.equal(expect.functions.reduce((n, f) => n + f.reserved, 0), 0, "the sample stacks reserve nothing");
    awsState.quota = 10; // what new accounts may start with
    awsState.unreserved = 10;
    assert.equal((await preflight()).code, 0);
    const stated: ProgramRun = { ...run, settings: { ...run.settings, functions: { ...run.settings.functions, accountConcurrencyQuota: 1000 } } };
    const o = await preflight(["--stack", "dev"], {}, stated);
    assert.deepEqual(failing(o), ["lambda concurrency"]);
    assert.match(o.out, /set botfleet:awsLambdaConcurrencyQuota to 10/);
  });

  it("fails when the concurrency quota cannot leave AWS its 100 unreserved executions, naming the quota to ask for", async () => {
    // A stack that opted in: 5 per function, stated quota 140 (8 x 5 + 100).
    const perFunction = 5;
    const reserving: ProgramRun = {
      ...run,
      settings: { ...run.settings, functions: { ...run.settings.functions, reservedConcurrency: perFunction, accountConcurrencyQuota: 10 } },
      resources: run.resources.map((r) => (r.type === "aws:lambda/function:Function" ? { ...r, inputs: { ...r.inputs, reservedConcurrentExecutions: perFunction } } : r)),
    };
    const functions = run.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => String(r.inputs.name));
    const needed = functions.length * perFunction;
    awsState.quota = 10;
    awsState.unreserved = 10;
    const o = await preflight(["--stack", "dev"], {}, reserving);
    assert.equal(o.code, 1);
    assert.deepEqual(failing(o), ["lambda concurrency"]);
    assert.match(o.out, new RegExp(`quota code L-B99A9384\\) to at least ${100 + needed}`));
    // A redeploy: the stack's functions already hold their reservations, which are given back first.
    awsState.quota = 100 + needed;
    awsState.unreserved = 100;
    awsState.reserved = Object.fromEntries(functions.map((name) => [name, perFunction]));
    assert.equal((await preflight(["--stack", "dev"], {}, reserving)).code, 0);
  });

  it("fails on credentials of another AWS account, and on an ACM certificate for the API host that failed", async () => {
    awsState.callerAccount = "999999999999";
    awsState.certificates = [{ arn: "arn:aws:acm:eu-west-1:999999999999:certificate/c1", domain: run.settings.apiHostname, status: "FAILED", failureReason: "CAA_ERROR" }];
    const o = await preflight();
    assert.equal(o.code, 1);
    assert.deepEqual(failing(o).sort(), ["acm certificate", "aws identity"]);
    assert.match(o.out, /CAA_ERROR/);
    awsState.certificates.push({ arn: "arn:aws:acm:eu-west-1:999999999999:certificate/c2", domain: run.settings.apiHostname, status: "ISSUED" });
    awsState.callerAccount = run.settings.aws.accountId;
    assert.equal((await preflight()).code, 0, "an issued certificate beside a failed one is usable");
  });

  it("fails on a zone plan without what the edge deploys, another account's zone, or a zone that does not hold the domain", async () => {
    cloudflareState.zone.plan = "free";
    cloudflareState.zone.accountId = "f".repeat(32);
    const o = await preflight();
    assert.deepEqual(failing(o).sort(), ["cloudflare account", "cloudflare plan"]);
    assert.match(o.out, /needs pro for .*rate-limiting rules/);
    healthy();
    cloudflareState.zone.name = "example.org";
    assert.ok(failing(await preflight()).includes("cloudflare zone"));
    assert.deepEqual(requiredPlan({ managedWaf: true, rateLimits: { rules: 1, longestPeriod: 10 } }).plan, "pro");
    assert.deepEqual(requiredPlan({ managedWaf: false, rateLimits: { rules: 3, longestPeriod: 60 } }).plan, "business");
    assert.deepEqual(requiredPlan({ managedWaf: false, rateLimits: { rules: 1, longestPeriod: 10 } }).plan, "free");
  });

  it("fails when the API host is deeper than Universal SSL covers and no active certificate pack covers it", async () => {
    // A stack that opted into an advanced certificate (botfleet:cloudflareAdvancedCertificate) for a
    // host two labels below its zone: api.bot.<zone>. Until Cloudflare has issued the pack, nothing covers it.
    const zoneName = run.settings.cloudflare.zoneName;
    const domain = `bot.${zoneName}`;
    const deep: ProgramRun = { ...run, settings: { ...run.settings, domain, apiHostname: `api.${domain}` } };
    const deeper = (args: readonly string[] = ["--stack", "dev"]) => preflight(args, {}, deep);
    const o = await deeper();
    assert.deepEqual(failing(o), ["edge certificate"]);
    assert.match(o.out, new RegExp(`Universal SSL covers only ${zoneName.replace(/\./g, "\\.")} and \\*\\.`));
    cloudflareState.packs = [{ id: "pack-1", hosts: [`*.${domain}`], status: "pending_validation" }];
    assert.match((await deeper()).out, /pack-1 pending_validation are not active/);
    cloudflareState.packs = [{ id: "pack-1", hosts: [`*.${domain}`], status: "active" }];
    assert.equal((await deeper()).code, 0);
    assert.equal(hostCovers("*.example.com", "api.example.com"), true);
    assert.equal(hostCovers("*.example.com", "api.dev.example.com"), false);
  });

  it("fails when the zone the id names is not the configured botfleet:cloudflareZoneName", async () => {
    cloudflareState.zone.name = `other-${run.settings.cloudflare.zoneName}`;
    const o = await preflight();
    assert.ok(failing(o).includes("cloudflare zone"));
    assert.match(o.out, /not botfleet:cloudflareZoneName/);
  });

  it("fails when an entry-point ruleset holds rules the program does not own, and shows how to adopt it", async () => {
    const [phase, refs] = [...expect.rulesetPhases][0] ?? [];
    assert.ok(phase !== undefined && refs !== undefined);
    const onHost = (h: string) => `(http.host eq "${h}")`;
    // The other stack on the same zone: the same refs, scoped to its own host.
    cloudflareState.entrypoints[phase] = refs.map((ref, i) => ({ id: `r${i}`, ref, expression: onHost(`api.other.${run.settings.domain}`) }));
    assert.deepEqual(failing(await preflight()), [`ruleset ${phase}`], "another stack's rules are not this stack's");
    cloudflareState.entrypoints[phase] = refs.map((ref, i) => ({ id: `r${i}`, ref, expression: onHost(run.settings.apiHostname) }));
    assert.equal((await preflight()).code, 0, "only the program's own rules: adoptable, not a failure");
    cloudflareState.entrypoints[phase]?.push({ id: "dash-1", description: "dashboard: block bad bots" });
    const o = await preflight();
    assert.deepEqual(failing(o), [`ruleset ${phase}`]);
    assert.match(o.out, /1 rule\(s\) this program does not own \(dashboard: block bad bots\)/);
    assert.match(o.out, new RegExp(`pulumi import cloudflare:index/ruleset:Ruleset <name> zones/${run.settings.cloudflare.zoneId}/rs-${phase}`));
  });

  it("fails when a GCP API the program needs is off, or the credentials cannot read the project", async () => {
    // IAM Credentials must be on before the first up: the provider impersonates through it before
    // the program can enable anything. An API the program enables itself (STS) is not a failure.
    gcpState.enabled = gcpState.enabled.filter((api) => api !== "iamcredentials.googleapis.com" && api !== "sts.googleapis.com");
    const o = await preflight();
    assert.deepEqual(failing(o), ["gcp apis"]);
    assert.match(o.out, new RegExp(`gcloud services enable iamcredentials.googleapis.com --project ${run.settings.gcp.project}`));
    assert.match(o.out, /pulumi up enables .*sts\.googleapis\.com/);
    healthy();
    gcpState.project = "someone-elses-project";
    assert.deepEqual(failing(await preflight()), ["gcp project"]);
  });

  it("reports an API error as a failed check with the reason (exit 1), not a crash", async () => {
    awsState.failWith = { status: 403, type: "AccessDeniedException", message: "User is not authorized to perform: lambda:GetAccountSettings" };
    const o = await preflight();
    assert.equal(o.code, 1);
    assert.match(o.out, /FAIL\s+lambda concurrency\s+API error: AccessDeniedException: User is not authorized/);
    assert.equal(o.err, "");
    const badToken = await preflight(["--stack", "dev"], { CLOUDFLARE_API_TOKEN: "wrong" });
    assert.match(badToken.out, /FAIL\s+cloudflare zone\s+API error: Cloudflare API 403 on GET \/zones\/\w+: 10000 Authentication error/);
  });

  it("names each missing credential on one line and exits 2 before any check", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = "/nonexistent/adc.json";
    const before = aws.lambda.requests.length + cloudflare.requests.length + serviceUsage.requests.length;
    const o = await preflight(["--stack", "dev"], { CLOUDFLARE_API_TOKEN: undefined, GOOGLE_OAUTH_ACCESS_TOKEN: undefined });
    assert.equal(o.code, 2);
    const lines = o.err.trim().split("\n");
    assert.equal(lines.length, 3, o.err);
    assert.match(lines[0] ?? "", /^AWS: no credentials from the SDK's default chain/);
    assert.match(lines[1] ?? "", /^Cloudflare: CLOUDFLARE_API_TOKEN is not set/);
    assert.match(lines[2] ?? "", /^GCP: no Application Default Credentials/);
    assert.ok(!o.err.includes("    at "), "no stack trace");
    assert.equal(aws.lambda.requests.length + cloudflare.requests.length + serviceUsage.requests.length, before);
  });

  it("assumes the stack's deploy role first with --assume-deploy-role", async () => {
    const before = aws.sts.requests.length;
    assert.equal((await preflight(["--stack", "dev", "--assume-deploy-role"])).code, 0);
    const actions = aws.sts.requests.slice(before).map((r) => new URLSearchParams(r.body).get("Action"));
    assert.deepEqual(actions, ["AssumeRole", "GetCallerIdentity"]);
    assert.equal(new URLSearchParams(aws.sts.requests[before]?.body).get("RoleArn"), run.settings.aws.deployRoleArn);
    const signed = aws.lambda.requests.at(-1)?.headers.authorization ?? "";
    assert.match(String(signed), /Credential=ASIAASSUMEDEXAMPLE01\//, "later calls use the role's credentials");
  });

  it("answers --help with exit 0 and bad usage with one line and exit 2", async () => {
    const help = await preflight(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: npm run preflight -- --stack <stack>/);
    for (const [args, message] of [
      [[], /^preflight needs --stack dev\|prod/],
      [["--stack", "staging"], /^--stack must be one of dev, prod, got "staging"/],
      [["--stack", "dev", "--verbose"], /^Unknown option '--verbose'/],
    ] as const) {
      const o = await preflight(args);
      assert.equal(o.code, 2);
      assert.match(o.err, message);
      assert.equal(o.err.trim().split("\n").length, 1);
    }
  });
});
