/**
 * The `external_account` credential configuration the export function hands to google-auth-library
 * (GOOGLE_APPLICATION_CREDENTIALS or `new Storage({ credentials })`). Pure, and free of secrets: it
 * says where to exchange a token, not a token.
 *
 * Lambda has no instance metadata service, so the credential source names no metadata URLs
 * (`region_url`, `url`, `imdsv2_session_token_url`): google-auth-library's AWS supplier reads
 * AWS_REGION and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, which Lambda sets
 * for the function's role, and only falls back to those URLs when the variables are missing. Without
 * them a misplaced config fails at once ("missing credential_source.url") instead of hanging on
 * 169.254.169.254.
 */
export interface ExternalAccountCredentialConfig {
  readonly universe_domain: "googleapis.com";
  readonly type: "external_account";
  readonly audience: string;
  readonly subject_token_type: "urn:ietf:params:aws:token-type:aws4_request";
  readonly service_account_impersonation_url: string;
  readonly token_url: "https://sts.googleapis.com/v1/token";
  readonly credential_source: {
    readonly environment_id: "aws1";
    readonly regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
  };
}

export interface CredentialConfigInput {
  /** Full resource name of the pool provider: projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>. */
  readonly providerName: string;
  /** E-mail of the service account the federated identity impersonates. */
  readonly serviceAccountEmail: string;
}

const PROVIDER_NAME = /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

export function externalAccountCredentialConfig(input: CredentialConfigInput): ExternalAccountCredentialConfig {
  if (!PROVIDER_NAME.test(input.providerName)) {
    throw new Error(
      `workload identity provider name must be projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>; got ${JSON.stringify(input.providerName)}`,
    );
  }
  if (!SERVICE_ACCOUNT_EMAIL.test(input.serviceAccountEmail)) {
    throw new Error(`service account must be a user-managed <id>@<project>.iam.gserviceaccount.com; got ${JSON.stringify(input.serviceAccountEmail)}`);
  }
  return {
    universe_domain: "googleapis.com",
    type: "external_account",
    audience: `//iam.googleapis.com/${input.providerName}`,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${input.serviceAccountEmail}:generateAccessToken`,
    token_url: "https://sts.googleapis.com/v1/token",
    credential_source: {
      environment_id: "aws1",
      regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    },
  };
}
