import { stackAccounts } from "../../lib/accounts";
import { callerRestriction, principalAccount } from "../../lib/conditions";
import { resourcePolicy } from "../../lib/define";
import { judgeStatements } from "../../lib/iamDocument";
import { RESOURCE_POLICY_PROPERTIES, RESOURCE_POLICY_TYPES } from "../../lib/resourcePolicies";
import { decide, type Verdict } from "../../lib/unknowns";
import { text } from "../../lib/values";

const PERMISSION = "aws:lambda/permission:Permission";

function foreign(account: string, ours: readonly string[]): boolean {
  return !/[*?]/.test(account) && !ours.includes(account);
}

/** A Lambda permission is one resource-policy statement: principal, sourceAccount, sourceArn. */
function permissionVerdicts(props: Readonly<Record<string, unknown>>, ours: readonly string[]): Verdict[] {
  return [
    ...decide(() => {
      const principal = text(props.principal) ?? "";
      const account = /^\d{12}$/.test(principal) ? principal : principalAccount(`AWS:${principal}`);
      return account && foreign(account, ours) ? [`principal ${principal} is in account ${account}: invoke through a role or service of this stack's account.`] : [];
    }),
    ...decide(() => {
      const source = text(props.sourceAccount);
      return source && foreign(source, ours) ? [`sourceAccount ${source} is another account: set this stack's account.`] : [];
    }),
  ];
}

/**
 * Severity high. A resource policy naming another account (its root, a role in it, or a condition
 * such as aws:SourceAccount on a foreign account), or a Lambda permission for another account,
 * lets that account reach our key, queue, topic, table, secret, bucket or function. The stack's
 * account is the provider's allowedAccountIds.
 */
export const awsResourcePolicyDisallowCrossAccountAccess = resourcePolicy({
  name: "aws-resource-policy-disallow-cross-account-access",
  description: "Resource policies and Lambda permissions must not admit principals or sources of another account.",
  severity: "high",
  types: [...RESOURCE_POLICY_TYPES, PERMISSION],
  check: (props, args) => {
    const ours = stackAccounts(args);
    if (args.type === PERMISSION) return permissionVerdicts(props, ours);
    return judgeStatements(props[RESOURCE_POLICY_PROPERTIES[args.type] ?? "policy"], (s) => {
      if (s.effect !== "Allow") return [];
      const accounts = [...s.principals.map(principalAccount).filter((a): a is string => a !== undefined), ...callerRestriction(s).accounts];
      return [...new Set(accounts.filter((a) => foreign(a, ours)))].map(
        (account) => `A statement admits account ${account}, not this stack's (${ours.join(", ") || "unpinned provider"}): grant only this account's principals, or share through a role that account assumes.`,
      );
    });
  },
});
