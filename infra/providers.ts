import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config";

/**
 * The only providers the program uses. Pulumi.yaml disables default providers, so a resource that
 * is not handed one of these fails at preview instead of deploying into whatever account the
 * ambient credentials point at.
 */
export interface Providers {
  readonly aws: aws.Provider;
  readonly gcp: gcp.Provider;
  readonly cloudflare: cloudflare.Provider;
}

export function createProviders(settings: Settings): Providers {
  const tags = { project: "botfleet", environment: settings.nameToken, "managed-by": "pulumi" };

  const awsProvider = new aws.Provider(`${settings.prefix}-aws`, {
    region: settings.aws.region as aws.Region,
    // Refuses to touch any other account, whatever credentials the deployer holds.
    allowedAccountIds: [settings.aws.accountId],
    assumeRoles: [{ roleArn: settings.aws.deployRoleArn, sessionName: `${settings.prefix}-deploy` }],
    defaultTags: { tags },
  });

  const gcpProvider = new gcp.Provider(`${settings.prefix}-gcp`, {
    project: settings.gcp.project,
    region: settings.gcp.region,
    // Every call runs as the stack's deploy service account, whatever credentials are ambient: the
    // deployer (CI's federated identity, or a person) needs only roles/iam.serviceAccountTokenCreator
    // on it, and the account's own roles bound what a deploy can do in this project (README).
    impersonateServiceAccount: settings.gcp.deployServiceAccount,
    defaultLabels: tags,
  });

  // Cloudflare's provider takes no account or zone to pin to: the stack is held to its zone by its
  // own token (one per stack, scoped to that zone: README "Cloudflare prerequisites"), by the edge
  // checking the zone's name and account at deploy time (cloudflare/entryPoints.ts), and by the
  // policy cloudflare-resource-require-stack-zone. The token is the stack's `cloudflare:apiToken`
  // config secret or, unset, CLOUDFLARE_API_TOKEN from the environment (CI: one per environment).
  const apiToken = new pulumi.Config("cloudflare").getSecret("apiToken");
  const cloudflareProvider = new cloudflare.Provider(`${settings.prefix}-cloudflare`, apiToken ? { apiToken } : {});

  return { aws: awsProvider, gcp: gcpProvider, cloudflare: cloudflareProvider };
}
