/**
 * Stand-in for the two Google services an external_account (Workload Identity Federation)
 * credential calls before any GCS request: STS's token exchange
 * (https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token) and IAM Credentials'
 * generateAccessToken (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken).
 * Answers with the documented response fields. It checks that the subject token is what
 * google-auth-library's AWS source sends (a signed sts:GetCallerIdentity request, URL-encoded JSON).
 */
import { type StandIn, startStandIn } from "./standInServer";

export async function startGoogleFederationStandIn(): Promise<StandIn> {
  return startStandIn((request) => {
    const path = new URL(request.path, "http://google").pathname;
    if (request.method === "POST" && path === "/v1/token") {
      const form = new URLSearchParams(request.body);
      const subject = JSON.parse(decodeURIComponent(form.get("subject_token") ?? "{}")) as { url?: string; method?: string };
      if (form.get("subject_token_type") !== "urn:ietf:params:aws:token-type:aws4_request" || !/Action=GetCallerIdentity/.test(subject.url ?? "")) {
        return { status: 400, body: { error: "invalid_grant", error_description: "subject token is not a signed GetCallerIdentity request" } };
      }
      return { status: 200, body: { access_token: "federated-token", issued_token_type: "urn:ietf:params:oauth:token-type:access_token", token_type: "Bearer", expires_in: 3600 } };
    }
    if (request.method === "POST" && /^\/v1\/projects\/-\/serviceAccounts\/[^/:]+:generateAccessToken$/.test(path)) {
      if (request.headers.authorization !== "Bearer federated-token") return { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } };
      return { status: 200, body: { accessToken: "service-account-token", expireTime: new Date(Date.now() + 3_600_000).toISOString() } };
    }
    return { status: 404, body: { error: { code: 404, message: `stand-in knows token and generateAccessToken only, not ${request.method} ${path}` } } };
  });
}
