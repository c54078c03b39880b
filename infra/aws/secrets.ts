import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_NAMES, type SecretName } from "../../runtime/env";
import type { Settings } from "../config";

/**
 * A deleted secret keeps its name through the recovery window (7-30 days), and creating a secret
 * with that name fails until the window ends; 0 deletes at once without recovery
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html). Dev must
 * come back after `pulumi destroy` (its values are test tokens, set again out of band); a production-grade stack keeps
 * AWS's longest window, so a mistaken delete can still be undone (`aws secretsmanager restore-secret`).
 */
export function recoveryWindowDays(settings: Settings): number {
  return settings.productionGrade ? 30 : 0;
}

export interface SecretsArgs {
  /** Stack settings: name prefix, a production-grade stack's longer recovery window, and the origin-verify value. */
  readonly settings: Settings;
  /** ARN of the customer-managed key that encrypts every secret (never the AWS-managed key). */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * One Secrets Manager secret per name in SECRET_NAMES (runtime/env.ts), CMK-encrypted.
 *
 * Bot tokens and signing secrets are created without a value: they are set out of band
 * (`aws secretsmanager put-secret-value`, see README "AWS infrastructure"), so no token ever enters
 * Pulumi state or git. The one exception is "origin": its value must also go into the Cloudflare
 * rule that adds the origin-verify header, so Pulumi has to hold it anyway (as a config secret,
 * encrypted in state); it is written here from settings.originVerifySecret.
 */
export class Secrets extends pulumi.ComponentResource {
  /** Secret name → ARN (never a value). */
  readonly arns: Readonly<Record<SecretName, pulumi.Output<string>>>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:Secrets", name, {}, opts);
    const { settings } = args;
    const secrets = Object.fromEntries(
      SECRET_NAMES.map((secretName) => [
        secretName,
        new aws.secretsmanager.Secret(
          `${name}-${secretName}`,
          {
            name: `${settings.prefix}/${secretName}`,
            description: `${settings.prefix} ${secretName} secret; value set out of band (README "AWS infrastructure")`,
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: recoveryWindowDays(settings),
          },
          // A production-grade stack's bot tokens are set out of band and exist nowhere else: `pulumi destroy` refuses them.
          { parent: this, protect: settings.productionGrade },
        ),
      ]),
    ) as Record<SecretName, aws.secretsmanager.Secret>;

    // The only value Pulumi writes (see the class comment for why).
    new aws.secretsmanager.SecretVersion(
      `${name}-origin-value`,
      // The runtime reads every secret as a JSON object (runtime/adapters/secrets.ts): {"value": ...}.
      { secretId: secrets.origin.id, secretString: settings.originVerifySecret.apply((value) => JSON.stringify({ value })) },
      { parent: this },
    );

    this.arns = Object.fromEntries(SECRET_NAMES.map((n) => [n, secrets[n].arn])) as Record<SecretName, pulumi.Output<string>>;
    this.registerOutputs({ arns: this.arns });
  }
}
