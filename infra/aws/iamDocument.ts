/** The subset of the IAM policy language botfleet writes: Allow or Deny, explicit actions and resources. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
  readonly Action: readonly string[];
  /** Absent only in trust policies (a role's trust policy may not name a resource). */
  readonly Resource?: readonly string[] | "*";
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Stable JSON (two-space indent) so a policy diff in a preview reads line by line. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}

/** Trust policy for a role only `service` may assume, and only on behalf of this account. */
export function serviceTrustPolicy(service: string, accountId: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["sts:AssumeRole"],
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}
