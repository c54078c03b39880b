import { callerRestriction, principalAccount } from "../../../lib/conditions";
import { stackAccounts } from "../../../lib/accounts";
import { resourcePolicy } from "../../../lib/define";
import { judgeStatements } from "../../../lib/iamDocument";

/**
 * Severity critical. Trusting an account ("123456789012" or "arn:aws:iam::123456789012:root", any
 * account: Checkov CKV_AWS_61) delegates the role to whoever that account lets call
 * sts:AssumeRole; trusting a principal of another account, or a condition naming one
 * (aws:SourceAccount, aws:SourceArn), opens the role across accounts.
 */
export const awsIamRoleDisallowAccountTrust = resourcePolicy({
  name: "aws-iam-role-disallow-account-trust",
  description: "IAM role trust policies must not trust a whole account, nor principals or sources in another account.",
  severity: "critical",
  types: ["aws:iam/role:Role"],
  check: (props, args) => {
    const ours = stackAccounts(args);
    return judgeStatements(props.assumeRolePolicy, (s) => {
      if (s.effect !== "Allow") return [];
      const problems: string[] = [];
      for (const principal of s.principals) {
        const account = principalAccount(principal);
        if (account === undefined || /[*?]/.test(account)) continue;
        const value = principal.slice(principal.indexOf(":") + 1);
        if (/^\d{12}$/.test(value) || /:root$/.test(value)) problems.push(`Trust the one role or service that assumes this role instead of account ${account} (${value}).`);
        else if (!ours.includes(account)) problems.push(`${value} is in account ${account}, not this stack's: trust only principals of this account.`);
      }
      for (const account of callerRestriction(s).accounts) {
        if (!ours.includes(account)) problems.push(`A condition admits account ${account}, not this stack's: name this stack's account.`);
      }
      return problems;
    });
  },
});
