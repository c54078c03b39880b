import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TABLE } from "../../runtime/adapters/tableSchema";
import type { Settings } from "../config";

export interface TableArgs {
  /** Stack settings: name prefix, and `productionGrade` turns deletion protection on. */
  readonly settings: Settings;
  /** ARN of the customer-managed key for server-side encryption (never the AWS-owned key). */
  readonly kmsKeyArn: pulumi.Input<string>;
}

/** Index names as the runtime names them (TABLE.indexes in runtime/adapters/tableSchema.ts). */
export const INDEX_NAMES = Object.values(TABLE.indexes).map((index) => index.name);
export type IndexName = (typeof TABLE.indexes)[keyof typeof TABLE.indexes]["name"];

/**
 * The single DynamoDB table the runtime documents: keys, GSIs and TTL attribute from
 * runtime/adapters/tableSchema.ts. Always on-demand, encrypted with the given CMK, point-in-time
 * recovery on, TTL on; deletion protection on in a production-grade stack. None of these is an argument.
 */
export class Table extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The raw table, for callers who must reach it. */
  readonly nodes: { readonly table: aws.dynamodb.Table };

  constructor(name: string, args: TableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:aws:Table", name, {}, opts);
    const { settings } = args;
    const indexes = Object.values(TABLE.indexes);
    const keyAttributes = [TABLE.partitionKey, TABLE.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: `${settings.prefix}-table`,
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE.partitionKey,
        rangeKey: TABLE.sortKey,
        attributes: keyAttributes.map((attribute) => ({ name: attribute, type: "S" })),
        globalSecondaryIndexes: indexes.map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.partitionKey, keyType: "HASH" },
            { attributeName: index.sortKey, keyType: "RANGE" },
          ],
          projectionType: "ALL",
        })),
        ttl: { attributeName: TABLE.ttlAttribute, enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: settings.productionGrade,
      },
      { parent: this, protect: settings.productionGrade },
    );
    this.name = table.name;
    this.arn = table.arn;
    this.nodes = { table };
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
