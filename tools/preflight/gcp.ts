/**
 * GCP checks, read-only: the credentials can read the stack's project, and every API the program
 * needs is enabled there — Service Usage services.list with filter state:ENABLED
 * (https://cloud.google.com/service-usage/docs/reference/rest/v1/services/list). Credentials: an
 * access token in GOOGLE_OAUTH_ACCESS_TOKEN, else Application Default Credentials; the root URL
 * is overridable with BOTFLEET_SERVICE_USAGE_URL (tests).
 */
import { GoogleAuth } from "google-auth-library";
import type { Expectations } from "./expectations";
import { type CheckResult, fail, guarded, MissingCredentialsError, pass } from "./result";

/**
 * On before the program runs, though it enables them too: the GCP provider impersonates the stack's
 * deploy service account through IAM Credentials before any resource exists, and enabling an API
 * goes through Service Usage (https://cloud.google.com/service-usage/docs/enable-disable).
 */
const BEFORE_FIRST_UP: readonly string[] = ["serviceusage.googleapis.com", "iamcredentials.googleapis.com"];

export const SERVICE_USAGE_URL_ENV = "BOTFLEET_SERVICE_USAGE_URL";
export const SERVICE_USAGE_URL = "https://serviceusage.googleapis.com";

export async function gcpToken(env: NodeJS.ProcessEnv): Promise<string> {
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (token !== undefined && token !== "") return token;
  try {
    const access = await new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform.read-only"] }).getAccessToken();
    if (access === null || access === undefined) throw new Error("no access token");
    return access;
  } catch (error) {
    throw new MissingCredentialsError(
      `GCP: no Application Default Credentials (gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS, or GOOGLE_OAUTH_ACCESS_TOKEN): ${((error as Error).message.split("\n")[0] ?? "").slice(0, 160)}`,
    );
  }
}

interface ServicesPage {
  readonly services?: readonly { readonly config?: { readonly name?: string }; readonly name?: string; readonly state?: string }[];
  readonly nextPageToken?: string;
}

export async function gcpChecks(expect: Expectations, token: string, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const project = expect.settings.gcp.project;
  const root = (env[SERVICE_USAGE_URL_ENV] ?? SERVICE_USAGE_URL).replace(/\/$/, "");
  const projectFix = `use credentials that can read project ${project} (gcp:project of Pulumi.${expect.stack}.yaml), e.g. roles/serviceusage.serviceUsageViewer`;
  return guarded("gcp project", projectFix, async () => {
    const enabled = new Set<string>();
    let pageToken: string | undefined;
    do {
      const url = `${root}/v1/projects/${encodeURIComponent(project)}/services?filter=state:ENABLED&pageSize=200${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`;
      const response = await fetch(url, { method: "GET", headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
      const body = (await response.json().catch(() => ({}))) as ServicesPage & { error?: { code?: number; status?: string; message?: string } };
      if (response.status === 403 || response.status === 404) {
        return fail("gcp project", `the credentials cannot read project ${project}: ${body.error?.status ?? response.status} ${body.error?.message ?? ""}`.trim(), projectFix);
      }
      if (!response.ok) throw new Error(`Service Usage ${response.status}: ${body.error?.status ?? ""} ${body.error?.message ?? ""}`.trim());
      for (const service of body.services ?? []) {
        const name = service.config?.name ?? service.name?.split("/").pop();
        if (name !== undefined && service.state === "ENABLED") enabled.add(name);
      }
      pageToken = body.nextPageToken;
    } while (pageToken);
    const missing = [...new Set([...BEFORE_FIRST_UP, ...expect.gcpApis])].filter((api) => !enabled.has(api));
    const byProgram = missing.filter((api) => expect.gcpApisEnabledByProgram.includes(api) && !BEFORE_FIRST_UP.includes(api));
    const blocking = missing.filter((api) => !byProgram.includes(api));
    const results: CheckResult[] = [pass("gcp project", `the credentials can read project ${project}`)];
    const detail = `needs ${expect.gcpApis.join(", ")}${byProgram.length ? `; pulumi up enables ${byProgram.join(", ")}` : ""}`;
    results.push(
      blocking.length === 0
        ? pass("gcp apis", detail)
        : fail("gcp apis", `${blocking.join(", ")} not enabled in ${project} (${detail})`, `gcloud services enable ${blocking.join(" ")} --project ${project}`),
    );
    return results;
  });
}
