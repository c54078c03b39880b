/**
 * AWS checks, read-only: who the credentials are (STS GetCallerIdentity), the account's Lambda
 * concurrency (GetAccountSettings, GetFunctionConcurrency) and the API certificate in ACM
 * (ListCertificates, DescribeCertificate). Credentials: the SDK's default chain, optionally
 * assuming the stack's deploy role first (STS AssumeRole). Endpoints follow the SDK's documented
 * service-specific variables (AWS_ENDPOINT_URL_LAMBDA, _ACM, _STS:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */
import { ACMClient, type CertificateStatus, DescribeCertificateCommand, ListCertificatesCommand } from "@aws-sdk/client-acm";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { Expectations } from "./expectations";
import { type CheckResult, fail, guarded, MissingCredentialsError, pass } from "./result";

/**
 * Lambda keeps at least 100 concurrent executions of the account's quota unreserved: reservations
 * that would leave less fail (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

const ACM_STATUSES: CertificateStatus[] = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"];

export interface AwsClients {
  readonly sts: STSClient;
  readonly lambda: LambdaClient;
  readonly acm: ACMClient;
}

/** Clients for the stack's region; with `assumeRole`, every call after AssumeRole uses the deploy role. */
export async function awsClients(expect: Expectations, assumeRole: boolean): Promise<AwsClients> {
  const region = expect.settings.aws.region;
  const base = new STSClient({ region, maxAttempts: 2 });
  try {
    await base.config.credentials();
  } catch (error) {
    throw new MissingCredentialsError(`AWS: no credentials from the SDK's default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, web identity): ${(error as Error).message.split("\n")[0]}`);
  }
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  if (assumeRole) {
    const assumed = await base.send(new AssumeRoleCommand({ RoleArn: expect.settings.aws.deployRoleArn, RoleSessionName: `${expect.settings.prefix}-preflight`, DurationSeconds: 900 }));
    const c = assumed.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new MissingCredentialsError(`AWS: AssumeRole ${expect.settings.aws.deployRoleArn} returned no credentials`);
    credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken !== undefined ? { sessionToken: c.SessionToken } : {}) };
  }
  const config = { region, maxAttempts: 2, ...(credentials !== undefined ? { credentials } : {}) };
  return { sts: credentials !== undefined ? new STSClient(config) : base, lambda: new LambdaClient(config), acm: new ACMClient(config) };
}

export async function awsChecks(expect: Expectations, clients: AwsClients): Promise<CheckResult[]> {
  const results = await Promise.all([identity(expect, clients), concurrency(expect, clients), certificate(expect, clients)]);
  return results.flat();
}

function identity(expect: Expectations, { sts }: AwsClients): Promise<CheckResult[]> {
  const id = "aws identity";
  const account = expect.settings.aws.accountId;
  const fix = `use credentials for AWS account ${account} (aws:allowedAccountIds of Pulumi.${expect.stack}.yaml)`;
  return guarded(id, fix, async () => {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    return caller.Account === account ? pass(id, `credentials are ${caller.Arn ?? "?"} in account ${account}`) : fail(id, `credentials are for account ${caller.Account ?? "?"} (${caller.Arn ?? "?"}), the stack deploys into ${account}`, fix);
  });
}

function concurrency(expect: Expectations, { lambda }: AwsClients): Promise<CheckResult[]> {
  const id = "lambda concurrency";
  const needed = expect.functions.reduce((sum, fn) => sum + fn.reserved, 0);
  return guarded(id, "grant lambda:GetAccountSettings and lambda:GetFunctionConcurrency to the credentials, then run again", async () => {
    const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
    const quota = AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    // Reservations the stack's own functions already hold (a redeploy) are given back first.
    const current = await Promise.all(
      expect.functions.map(async (fn) => {
        try {
          return (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.name }))).ReservedConcurrentExecutions ?? 0;
        } catch (error) {
          if ((error as Error).name === "ResourceNotFoundException") return 0;
          throw error;
        }
      }),
    );
    const held = current.reduce((sum, n) => sum + n, 0);
    const left = unreserved + held - needed;
    const detail = `quota ${quota}, unreserved ${unreserved}; the stack reserves ${needed} over ${expect.functions.filter((f) => f.reserved > 0).length} functions (holding ${held} now), leaving ${left} unreserved (AWS keeps at least ${LAMBDA_UNRESERVED_MINIMUM})`;
    const stated = expect.settings.functions.accountConcurrencyQuota;
    if (quota < stated) {
      return fail(id, `${detail}; botfleet:awsLambdaConcurrencyQuota states ${stated}`, `set botfleet:awsLambdaConcurrencyQuota to ${quota} (what the account has), or raise the quota first (Service Quotas, quota code L-B99A9384)`);
    }
    // Nothing reserved: functions draw on the unreserved pool, whatever its size (a new account's 10 included).
    if (needed === 0) return pass(id, `${detail}; nothing reserved, so nothing to fit`);
    if (left >= LAMBDA_UNRESERVED_MINIMUM) return pass(id, detail);
    const perFunction = expect.functions.filter((f) => f.reserved > 0).length;
    const room = Math.max(0, unreserved + held - LAMBDA_UNRESERVED_MINIMUM);
    return fail(
      id,
      detail,
      `request a Lambda "Concurrent executions" quota increase (Service Quotas, quota code L-B99A9384) to at least ${quota + (LAMBDA_UNRESERVED_MINIMUM - left)}, or lower botfleet:lambdaReservedConcurrency${perFunction > 0 ? ` to at most ${Math.floor(room / perFunction)}` : ""}`,
    );
  });
}

function certificate(expect: Expectations, { acm }: AwsClients): Promise<CheckResult[]> {
  const id = "acm certificate";
  const domain = expect.certificateDomain;
  if (domain === undefined) return Promise.resolve([pass(id, "the program requests no ACM certificate")]);
  return guarded(id, "grant acm:ListCertificates and acm:DescribeCertificate to the credentials, then run again", async () => {
    const matches: string[] = [];
    let next: string | undefined;
    do {
      const page = await acm.send(new ListCertificatesCommand({ CertificateStatuses: ACM_STATUSES, ...(next !== undefined ? { NextToken: next } : {}) }));
      for (const summary of page.CertificateSummaryList ?? []) {
        if (summary.CertificateArn !== undefined && (summary.DomainName === domain || (summary.SubjectAlternativeNameSummaries ?? []).includes(domain))) matches.push(summary.CertificateArn);
      }
      next = page.NextToken;
    } while (next !== undefined);
    if (matches.length === 0) return pass(id, `no certificate for ${domain} in ${expect.settings.aws.region} yet: pulumi up requests one and validates it through the zone`);
    const described = await Promise.all(matches.map(async (arn) => (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate));
    const issued = described.find((c) => c?.Status === "ISSUED");
    if (issued !== undefined) return pass(id, `${domain}: ${issued.CertificateArn ?? "?"} ISSUED${issued.NotAfter ? `, valid until ${issued.NotAfter.toISOString().slice(0, 10)}` : ""}`);
    const pending = described.find((c) => c?.Status === "PENDING_VALIDATION");
    if (pending !== undefined) return pass(id, `${domain}: ${pending.CertificateArn ?? "?"} PENDING_VALIDATION (pulumi up creates its validation record in the zone and waits)`);
    const states = described.map((c) => `${c?.CertificateArn ?? "?"} ${c?.Status ?? "?"}${c?.FailureReason ? ` (${c.FailureReason})` : ""}`).join(", ");
    return fail(id, `${domain}: no usable certificate: ${states}`, `delete the failed or expired certificate(s) for ${domain} in ACM (${expect.settings.aws.region}) so pulumi up requests a new one, or fix the reason shown`);
  });
}
