import type { Output } from "@pulumi/pulumi";
import type { Settings } from "./config";
import { ApiCertificate } from "./aws/certificate";
import { Backend } from "./aws/backend";
import { CertificateValidationRecord } from "./cloudflare/certificateValidationRecord";
import { Edge } from "./cloudflare/edge";
import { ProjectApis } from "./gcp/apis";
import { Archive } from "./gcp/archive";
import { createProviders } from "./providers";

/** What the stack exports (never a secret value). */
export interface StackOutputs {
  /** The stack's name, and whether it is production-grade (botfleet:productionGrade). */
  readonly stack: string;
  readonly productionGrade: boolean;
  readonly awsAccountId: string;
  readonly gcpProject: string;
  readonly apiHostname: string;
  /** GCS bucket that holds the daily exports. */
  readonly archiveBucket: Output<string>;
  /** https://api.<domain>, the public base URL of every route. */
  readonly apiUrl: string;
  /** DynamoDB table name. */
  readonly tableName: Output<string>;
  /** Deployed handler → Lambda function name. */
  readonly functionNames: Output<Record<string, string>>;
  /** Secrets Manager secret name → ARN (values are set out of band; never exported). */
  readonly secretArns: Output<Record<string, string>>;
}

/**
 * The whole botfleet deployment for one stack. Components live in infra/<cloud>/ and get their
 * provider explicitly. Wiring order (each step only consumes outputs of earlier ones):
 *   1. AWS: ACM certificate for api.<domain>              → its DNS validation record
 *   2. Cloudflare: that validation record in the zone      → validated hostname
 *   3. GCP: the APIs it needs (left on at destroy), then the archive bucket + Workload Identity for the export (writer) and api (reader) roles — their
 *      ARNs are derived from settings, so GCP does not wait for AWS → bucket, external_account configs
 *   4. AWS: backend (KMS, table, secrets, functions, API with custom domain, schedule, alarms)
 *   5. Cloudflare: edge (reads the zone's entry points first; DNS to the API domain target, TLS rules for the
 *      API host only, WAF, rate limits, origin lock; zone-wide settings and a certificate pack only when opted in)
 */
export function botfleet(settings: Settings): StackOutputs {
  const providers = createProviders(settings);
  void providers;

  // --- AWS (infra/aws): certificate -------------------------------------------------------------
  const certificate = new ApiCertificate("api", { settings }, { providers: [providers.aws] });
  // --- Cloudflare (infra/cloudflare): certificate validation record --------------------------------
  const certificateDns = new CertificateValidationRecord(
    "api-cert-validation",
    { zoneId: settings.cloudflare.zoneId, record: certificate.validationRecord },
    { provider: providers.cloudflare },
  );
  // --- GCP (infra/gcp): archive ------------------------------------------------------------------
  const apis = new ProjectApis("gcp-apis", { settings }, { provider: providers.gcp });
  const archive = new Archive("archive", { settings, apis }, { provider: providers.gcp });
  // --- AWS (infra/aws): backend ------------------------------------------------------------------
  const backend = new Backend(
    "backend",
    {
      settings,
      certificateArn: certificate.arn,
      // The record's own output, so certificate validation waits until Cloudflare has it.
      validationRecordFqdns: [certificateDns.fqdn],
      // export writes with the writer identity; api reads finished exports with the reader identity.
      archive: {
        bucketName: archive.bucketName,
        credentialConfig: archive.credentialConfig,
        readerCredentialConfig: archive.readerCredentialConfig,
      },
    },
    { providers: [providers.aws] },
  );
  // --- Cloudflare (infra/cloudflare): edge ---------------------------------------------------------
  new Edge("edge", { settings, apiDomainTarget: backend.apiDomainTarget }, { provider: providers.cloudflare });

  return {
    stack: settings.stack,
    productionGrade: settings.productionGrade,
    awsAccountId: settings.aws.accountId,
    gcpProject: settings.gcp.project,
    apiHostname: settings.apiHostname,
    archiveBucket: archive.bucketName,
    apiUrl: backend.apiUrl,
    tableName: backend.tableName,
    functionNames: backend.functionNames,
    secretArns: backend.secretArns,
  };
}
