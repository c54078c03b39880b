import { decodeJson, isRecord, stringList, text } from "./values";

/** GCP IAM resources: member, binding and whole-policy forms on projects, buckets, service accounts and keys. */
export const GCP_IAM_TYPES: readonly string[] = [
  ...["projects", "serviceaccount", "organizations", "folder"].flatMap((module) =>
    ["IAMMember", "IAMBinding", "IAMPolicy"].map((form) => `gcp:${module}/i${form.slice(1)}:${form}`),
  ),
  ...[
    ["storage", "bucket"],
    ["kms", "cryptoKey"],
    ["kms", "keyRing"],
  ].flatMap(([module, resource]) =>
    ["IAMMember", "IAMBinding", "IAMPolicy"].map((form) => `gcp:${module}/${resource}${form}:${cap(resource ?? "")}${form}`),
  ),
];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface Binding {
  readonly role: string;
  readonly members: readonly string[];
}

/** The (role, members) pairs a GCP IAM resource grants, whichever of the three forms it is. */
export function bindingsOf(props: Readonly<Record<string, unknown>>): Binding[] {
  const role = text(props.role);
  if (role !== undefined) {
    const members = text(props.member) !== undefined ? [props.member as string] : stringList(props.members);
    return [{ role, members }];
  }
  const policy = decodeJson(props.policyData);
  if (!isRecord(policy) || !Array.isArray(policy.bindings)) return [];
  return policy.bindings
    .filter(isRecord)
    .map((b) => ({ role: text(b.role) ?? "", members: stringList(b.members) }));
}

export function isProjectLevel(type: string): boolean {
  return type.startsWith("gcp:projects/");
}
