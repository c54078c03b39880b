import { isUnknownRead } from "./unknowns";
import { decodeJson, isRecord, stringList, text } from "./values";

/** GCP IAM resources: member, binding and whole-policy forms on organizations, folders, projects, service accounts, buckets and keys. */
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
  /** Members, read on demand: a member still unknown in preview (a service account created in the same run) throws. */
  readonly members: () => readonly string[];
}

/**
 * The (role, members) pairs a GCP IAM resource grants, whichever of the three forms it is. The role
 * is read first and members lazily, so a decision that needs only the role (roles/owner) is made
 * even while the member is unknown.
 */
export function bindingsOf(props: Readonly<Record<string, unknown>>): Binding[] {
  const role = text(props.role);
  if (role !== undefined) {
    return [{ role, members: () => (props.member !== undefined ? stringList(props.member) : stringList(props.members)) }];
  }
  const policy = decodeJson(props.policyData);
  if (!isRecord(policy) || !Array.isArray(policy.bindings)) return [];
  return policy.bindings.filter(isRecord).map((b) => ({ role: text(b.role) ?? "", members: () => stringList(b.members) }));
}

/** The members, or undefined while they are unknown (the caller defers what depends on them). */
export function knownMembers(binding: Binding): readonly string[] | undefined {
  try {
    return binding.members();
  } catch (error) {
    if (isUnknownRead(error)) return undefined;
    throw error;
  }
}

/** "for <members>" when known, for messages that must not wait on an unknown member. */
export function forMembers(binding: Binding): string {
  const members = knownMembers(binding);
  return members === undefined ? "" : ` for ${members.join(", ")}`;
}

/** Project, folder and organization IAM: grants that reach every resource below them. */
export function isHierarchyLevel(type: string): boolean {
  return /^gcp:(projects|folder|organizations)\//.test(type);
}

/** Workload identities: service accounts and federated principals (Workload Identity Federation). */
export function isWorkload(member: string): boolean {
  return member.startsWith("serviceAccount:") || member.startsWith("principal:") || member.startsWith("principalSet:");
}
