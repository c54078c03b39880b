import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** One DNS record ACM asks for (names and values as ACM gives them, trailing dot or not). */
export interface ValidationRecordInput {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface CertificateValidationRecordArgs {
  /** Cloudflare zone that holds the API hostname. */
  readonly zoneId: pulumi.Input<string>;
  /** The record the ACM certificate's DNS validation needs (ApiCertificate.validationRecord). */
  readonly record: pulumi.Input<ValidationRecordInput>;
}

/**
 * The ACM DNS validation record in the Cloudflare zone, so the API certificate issues (and renews)
 * without manual steps. DNS-only (never proxied: ACM must see the CNAME itself), TTL 60 s.
 */
export class CertificateValidationRecord extends pulumi.ComponentResource {
  /** The record's name, for aws.acm.CertificateValidation's validationRecordFqdns. */
  readonly fqdn: pulumi.Output<string>;

  constructor(name: string, args: CertificateValidationRecordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cloudflare:CertificateValidationRecord", name, {}, opts);
    const record = pulumi.output(args.record).apply(validated);
    const dns = new cloudflare.DnsRecord(
      `${name}-record`,
      {
        zoneId: args.zoneId,
        name: record.name,
        type: record.type,
        content: record.value,
        ttl: 60,
        proxied: false,
        comment: "ACM DNS validation for the API certificate (managed by botfleet)",
      },
      { parent: this },
    );
    this.fqdn = dns.name;
    this.registerOutputs({ fqdn: this.fqdn });
  }
}

const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Cloudflare stores names without the trailing dot; keeping it would show a diff on every preview. */
export function validated(record: ValidationRecordInput): ValidationRecordInput {
  const name = record.name.replace(/\.$/, "");
  const value = record.value.replace(/\.$/, "");
  if (record.type !== "CNAME") throw new Error(`ACM DNS validation uses CNAME records; got type ${JSON.stringify(record.type)}`);
  if (!DNS_NAME.test(name)) throw new Error(`validation record name is not a DNS name: ${JSON.stringify(record.name)}`);
  if (!DNS_NAME.test(value)) throw new Error(`validation record value is not a DNS name: ${JSON.stringify(record.value)}`);
  return { name, type: record.type, value };
}
