import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";

/**
 * The Google APIs the program and the deployed functions call in the stack's project, each with
 * what needs it. A new project has only a default set on; a call to an API that is off fails with
 * SERVICE_DISABLED (https://cloud.google.com/service-usage/docs/enable-disable).
 */
export const GCP_APIS = {
  /** Enables the others (on by default in new projects: README "First deploy" enables it if it is not). */
  serviceusage: { service: "serviceusage.googleapis.com", why: "enables the APIs below" },
  /**
   * The provider impersonates the deploy service account through it before any resource exists, so it
   * must already be on for the first `pulumi up` (README); managed here so it stays on. At run time,
   * the export and api functions exchange their federated token for the archive accounts' tokens.
   */
  iamcredentials: { service: "iamcredentials.googleapis.com", why: "impersonation: the deploy account (provider) and the archive accounts (functions)" },
  cloudkms: { service: "cloudkms.googleapis.com", why: "the archive's key ring and key" },
  storage: { service: "storage.googleapis.com", why: "the archive bucket and the GCS service agent lookup" },
  iam: { service: "iam.googleapis.com", why: "service accounts, custom roles, Workload Identity pool and provider" },
  /** Workload Identity Federation exchanges the AWS caller's signed request for a Google token at STS. */
  sts: { service: "sts.googleapis.com", why: "Workload Identity Federation token exchange (export and api functions)" },
} as const;

export type GcpApi = keyof typeof GCP_APIS;

export interface ProjectApisArgs {
  /** Stack settings: the project the APIs are enabled in. */
  readonly settings: Settings;
}

/**
 * Every API in GCP_APIS enabled in the stack's project. `pulumi destroy` leaves them on
 * (disableOnDestroy: false): turning an API off breaks whatever else in the project uses it, and
 * only the project's owners should decide that; nor does it disable APIs that depend on them.
 */
export class ProjectApis extends pulumi.ComponentResource {
  readonly services: Readonly<Record<GcpApi, gcp.projects.Service>>;

  constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:gcp:ProjectApis", name, {}, opts);
    const { settings } = args;
    const usage = new gcp.projects.Service(
      `${name}-serviceusage`,
      { project: settings.gcp.project, service: GCP_APIS.serviceusage.service, disableOnDestroy: false, disableDependentServices: false },
      { parent: this },
    );
    const services = { serviceusage: usage } as Record<GcpApi, gcp.projects.Service>;
    for (const api of Object.keys(GCP_APIS) as GcpApi[]) {
      if (api === "serviceusage") continue;
      services[api] = new gcp.projects.Service(
        `${name}-${api}`,
        { project: settings.gcp.project, service: GCP_APIS[api].service, disableOnDestroy: false, disableDependentServices: false },
        { parent: this, dependsOn: [usage] },
      );
    }
    this.services = services;
    this.registerOutputs({});
  }
}
