/**
 * Stand-ins for the AWS control-plane reads preflight makes (no local server of these APIs
 * exists), answering with the response shapes of each API reference page and refusing every other
 * operation — in particular any write — with a recorded 400:
 * - Lambda GetAccountSettings (GET /2016-08-19/account-settings,
 *   https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html) and
 *   GetFunctionConcurrency (GET /2019-09-30/functions/{name}/concurrency,
 *   https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html);
 * - STS GetCallerIdentity and AssumeRole (query protocol, XML:
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html);
 * - ACM ListCertificates and DescribeCertificate (JSON 1.1:
 *   https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html,
 *   https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html).
 */
import { type StandIn, startStandIn } from "./standInServer";

export interface AwsState {
  quota: number;
  unreserved: number;
  /** Function name → its current reserved concurrency (absent: the function does not exist). */
  reserved: Record<string, number>;
  callerAccount: string;
  certificates: { arn: string; domain: string; status: string; failureReason?: string }[];
  /** Answer every call with this error instead (an API failure). */
  failWith?: { status: number; type: string; message: string };
}

export interface AwsStandIns {
  readonly lambda: StandIn;
  readonly sts: StandIn;
  readonly acm: StandIn;
  /** Requests refused as not read-only or unknown (a write would land here). */
  readonly refused: string[];
  stop(): Promise<void>;
}

export async function startAwsStandIns(state: AwsState): Promise<AwsStandIns> {
  const refused: string[] = [];
  const jsonError = (status: number, type: string, message: string) => ({ status, headers: { "x-amzn-errortype": type }, body: { Type: "User", message, Message: message } });
  const lambda = await startStandIn((req) => {
    if (state.failWith) return jsonError(state.failWith.status, state.failWith.type, state.failWith.message);
    const path = new URL(req.path, "http://lambda").pathname;
    if (req.method === "GET" && path === "/2016-08-19/account-settings") {
      return {
        status: 200,
        body: {
          AccountLimit: { CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800, ConcurrentExecutions: state.quota, TotalCodeSize: 80530636800, UnreservedConcurrentExecutions: state.unreserved },
          AccountUsage: { FunctionCount: Object.keys(state.reserved).length, TotalCodeSize: 0 },
        },
      };
    }
    const concurrency = /^\/2019-09-30\/functions\/([^/]+)\/concurrency$/.exec(path);
    if (req.method === "GET" && concurrency?.[1] !== undefined) {
      const name = decodeURIComponent(concurrency[1]);
      if (!(name in state.reserved)) return jsonError(404, "ResourceNotFoundException", `Function not found: ${name}`);
      return { status: 200, body: state.reserved[name] === 0 ? {} : { ReservedConcurrentExecutions: state.reserved[name] } };
    }
    refused.push(`lambda ${req.method} ${path}`);
    return jsonError(400, "InvalidRequestContentException", "stand-in serves GetAccountSettings and GetFunctionConcurrency only");
  });
  const sts = await startStandIn((req) => {
    const xml = { "content-type": "text/xml" };
    if (state.failWith) return { status: state.failWith.status, headers: xml, body: `<ErrorResponse><Error><Type>Sender</Type><Code>${state.failWith.type}</Code><Message>${state.failWith.message}</Message></Error><RequestId>r</RequestId></ErrorResponse>` };
    const action = new URLSearchParams(req.body).get("Action");
    if (action === "GetCallerIdentity") {
      return {
        status: 200,
        headers: xml,
        body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${state.callerAccount}:assumed-role/platform/preflight</Arn><UserId>AROAEXAMPLE:preflight</UserId><Account>${state.callerAccount}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      };
    }
    if (action === "AssumeRole") {
      return {
        status: 200,
        headers: xml,
        body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDEXAMPLE01</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${state.callerAccount}:assumed-role/deploy/preflight</Arn><AssumedRoleId>AROADEPLOY:preflight</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      };
    }
    refused.push(`sts ${action ?? req.method}`);
    return { status: 400, headers: xml, body: `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>stand-in serves GetCallerIdentity and AssumeRole only</Message></Error><RequestId>r</RequestId></ErrorResponse>` };
  });
  const acm = await startStandIn((req) => {
    const json = { "content-type": "application/x-amz-json-1.1" };
    if (state.failWith) return { status: state.failWith.status, headers: json, body: { __type: state.failWith.type, message: state.failWith.message } };
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = JSON.parse(req.body || "{}") as { CertificateArn?: string };
    if (target === "CertificateManager.ListCertificates") {
      return {
        status: 200,
        headers: json,
        body: { CertificateSummaryList: state.certificates.map((c) => ({ CertificateArn: c.arn, DomainName: c.domain, SubjectAlternativeNameSummaries: [c.domain], Status: c.status, Type: "AMAZON_ISSUED", KeyAlgorithm: "RSA-2048" })) },
      };
    }
    if (target === "CertificateManager.DescribeCertificate") {
      const found = state.certificates.find((c) => c.arn === input.CertificateArn);
      if (found === undefined) return { status: 400, headers: json, body: { __type: "ResourceNotFoundException", message: "certificate not found" } };
      return {
        status: 200,
        headers: json,
        body: { Certificate: { CertificateArn: found.arn, DomainName: found.domain, Status: found.status, NotAfter: 4_102_444_800, Type: "AMAZON_ISSUED", ...(found.failureReason ? { FailureReason: found.failureReason } : {}) } },
      };
    }
    refused.push(`acm ${target}`);
    return { status: 400, headers: json, body: { __type: "ValidationException", message: "stand-in serves ListCertificates and DescribeCertificate only" } };
  });
  return { lambda, sts, acm, refused, stop: async () => void (await Promise.all([lambda.stop(), sts.stop(), acm.stop()])) };
}
