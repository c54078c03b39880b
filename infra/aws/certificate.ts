import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../config";

export interface ApiCertificateArgs {
  /** Stack settings; the certificate is for `settings.apiHostname` (api.<domain>) and nothing else. */
  readonly settings: Settings;
}

/** The DNS record ACM wants to see before it issues the certificate. */
export interface ValidationRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/**
 * ACM certificate for the API's custom domain, validated by DNS. The validation record is created
 * in the Cloudflare zone by infra/cloudflare, which hands back its FQDN; Backend then waits for
 * validation (aws.acm.CertificateValidation) before it creates the API Gateway domain. DNS
 * validation, RSA-2048 and certificate-transparency logging are fixed, not arguments.
 */
export class ApiCertificate extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly validationRecord: pulumi.Output<ValidationRecord>;

  constructor(name: string, args: ApiCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:ApiCertificate", name, {}, opts);
    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      {
        domainName: args.settings.apiHostname,
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
        options: { certificateTransparencyLoggingPreference: "ENABLED" },
      },
      { parent: this },
    );
    this.arn = certificate.arn;
    this.validationRecord = certificate.domainValidationOptions.apply((options) => {
      const [first] = options;
      if (!first) throw new Error(`ACM returned no DNS validation record for ${args.settings.apiHostname}`);
      return { name: first.resourceRecordName, type: first.resourceRecordType, value: first.resourceRecordValue };
    });
    this.registerOutputs({ arn: this.arn, validationRecord: this.validationRecord });
  }
}
