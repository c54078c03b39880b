import { randomBytes } from "node:crypto";

/**
 * A stand-in for the clouds' control planes across deployments: which names exist, and which names
 * a delete leaves taken and for how long. No local server can exist for this (it is AWS's and
 * Google's control plane), so it is built from their documented behaviour, one line per rule:
 *
 * - Cloud KMS key rings and keys cannot be deleted; the provider only forgets them
 *   (https://cloud.google.com/kms/docs/resource-hierarchy#retrieval-of-resources): the name stays
 *   taken for ever.
 * - A deleted Workload Identity pool (with its providers) is kept 30 days, its id not reusable
 *   (https://cloud.google.com/iam/docs/manage-workload-identity-pools-providers#delete-pool).
 * - A deleted custom role id stays taken 7 days, then 37 more until purged: 44 days
 *   (https://cloud.google.com/iam/docs/creating-custom-roles#deleting-custom-role).
 * - A deleted Secrets Manager secret keeps its name through its recovery window (7-30 days, 30 when
 *   unset); 0 frees it at once (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
 * - A name already in use cannot be created again (409 / ResourceExistsException).
 * - `pulumi destroy` deletes in reverse order and stops at a protected resource
 *   (https://www.pulumi.com/docs/iac/concepts/resources/options/protect/).
 *
 * Everything else is freed by its delete (IAM roles, tables, functions, buckets…).
 */
export interface StandInResource {
  readonly urn: string;
  readonly type: string;
  readonly protect: boolean;
  /** What the resource was created with (the mocks' state: inputs plus what the cloud computed). */
  readonly state: Readonly<Record<string, unknown>>;
}

interface Rule {
  /** The name the cloud keys this resource by; undefined when the rule does not apply to it. */
  readonly key: (state: Readonly<Record<string, unknown>>) => string;
  /** Days the name stays taken after a delete (Infinity: never freed). */
  readonly keptDays: (state: Readonly<Record<string, unknown>>) => number;
}

const str = (value: unknown) => String(value);

const RULES: Readonly<Record<string, Rule>> = {
  "gcp:kms/keyRing:KeyRing": { key: (s) => `${str(s.project)}/${str(s.location)}/keyRings/${str(s.name)}`, keptDays: () => Infinity },
  "gcp:kms/cryptoKey:CryptoKey": { key: (s) => `${str(s.keyRing)}/cryptoKeys/${str(s.name)}`, keptDays: () => Infinity },
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": { key: (s) => `${str(s.project)}/workloadIdentityPools/${str(s.workloadIdentityPoolId)}`, keptDays: () => 30 },
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
    key: (s) => `${str(s.project)}/workloadIdentityPools/${str(s.workloadIdentityPoolId)}/providers/${str(s.workloadIdentityPoolProviderId)}`,
    keptDays: () => 30,
  },
  "gcp:projects/iAMCustomRole:IAMCustomRole": { key: (s) => `${str(s.project)}/roles/${str(s.roleId)}`, keptDays: () => 7 + 37 },
  "aws:secretsmanager/secret:Secret": {
    key: (s) => `secretsmanager/${str(s.name)}`,
    keptDays: (s) => (typeof s.recoveryWindowInDays === "number" ? s.recoveryWindowInDays : 30),
  },
};

export class NameTakenError extends Error {
  constructor(
    readonly type: string,
    readonly physicalName: string,
    readonly reason: string,
  ) {
    super(`${type} ${physicalName}: ${reason}`);
    this.name = "NameTakenError";
  }
}

export class ProtectedResourceError extends Error {
  constructor(readonly urn: string) {
    super(`resource ${urn} is protected: pulumi destroy refuses to delete it`);
    this.name = "ProtectedResourceError";
  }
}

export class CloudStandIn {
  /** Days since the stand-in started. */
  private today = 0;
  private readonly live = new Map<string, string>();
  private readonly kept = new Map<string, number>();

  /** The engine draws an auto-name's random part when it first creates a resource. */
  readonly autoNameSuffix = (): string => randomBytes(4).toString("hex").slice(0, 7);

  /** A create, as the cloud answers it: refused when the name is in use or still kept after a delete. */
  create(type: string, state: Readonly<Record<string, unknown>>): void {
    const rule = RULES[type];
    if (!rule) return;
    const key = `${type}:${rule.key(state)}`;
    if (this.live.has(key)) throw new NameTakenError(type, rule.key(state), "already exists");
    const until = this.kept.get(key);
    if (until !== undefined && until > this.today) {
      throw new NameTakenError(type, rule.key(state), until === Infinity ? "can never be created again (it cannot be deleted)" : `still taken for ${until - this.today} more days after its delete`);
    }
    this.kept.delete(key);
    this.live.set(key, type);
  }

  /** `pulumi destroy` of one deployment: reverse order, stopping at the first protected resource. */
  destroy(resources: readonly StandInResource[]): void {
    for (const resource of [...resources].reverse()) {
      if (resource.protect) throw new ProtectedResourceError(resource.urn);
      const rule = RULES[resource.type];
      if (!rule) continue;
      const key = `${resource.type}:${rule.key(resource.state)}`;
      this.live.delete(key);
      const days = rule.keptDays(resource.state);
      if (days > 0) this.kept.set(key, this.today + days);
    }
  }

  advanceDays(days: number): void {
    this.today += days;
  }

  /** Names in use or kept, for assertions. */
  isTaken(type: string, name: string): boolean {
    const key = `${type}:${name}`;
    const until = this.kept.get(key);
    return this.live.has(key) || (until !== undefined && until > this.today);
  }
}
