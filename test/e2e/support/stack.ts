/**
 * One local stack per e2e suite, over real HTTP on a random port, data under .tmp/, plus the
 * helpers the suites share: signed platform requests, agent tokens and direct store reads.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { KEYS } from "../../../runtime/adapters/store";
import type { Role } from "../../../runtime/auth/roles";
import { ENV, LOCAL_SECRET_ENV } from "../../../runtime/env";
import { ORIGIN_VERIFY_HEADER } from "../../../runtime/routes";
import { startLocalStack, type LocalStack } from "../../../tools/local/localStack";
import { mintLocalToken } from "../../../tools/local/tokens";
import { type MessageOptions, type Platform, platformRequest, type SignedRequest, signingKeys } from "../../../tools/send/platformRequest";

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly bytes: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface E2eStack {
  readonly stack: LocalStack;
  readonly logLines: string[];
  readonly documents: DynamoDBDocumentClient;
  send(platform: Platform, text: string, options?: MessageOptions): Promise<Answer>;
  /** A signed request as the platform sends it, to send (again) with `sendSigned`: a redelivery is the same bytes. */
  sign(platform: Platform, text: string, options?: MessageOptions): SignedRequest;
  sendSigned(signed: SignedRequest): Promise<Answer>;
  /** A request through the edge: the origin-verify header is added unless `headers` overrides it. */
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer>;
  token(role: Role): Promise<string>;
  /** The reply queued for a Slack event or Meta message (their answers go out through the platform API). */
  queuedReply(deliveryKey: string): Promise<string | undefined>;
  /** Texts stored on a ticket, oldest first. */
  ticketMessages(ticketId: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** `environment`: extra local-stack settings (e.g. tuning values) on top of the suite's own. */
export async function startE2eStack(environment: Readonly<Record<string, string>> = {}): Promise<E2eStack> {
  const dataDir = join(__dirname, "..", "..", "..", ".tmp", `e2e-${randomUUID()}`);
  const logLines: string[] = [];
  // The origin lock is on (as deployed): every request below carries the header the edge adds.
  const origin = `e2e-origin-${randomUUID()}`;
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    fresh: true,
    environment: { ...environment, [LOCAL_SECRET_ENV.originVerifySecret]: origin },
    logSink: (line) => logLines.push(line),
    exportEveryMs: 0,
  });
  const documents = DynamoDBDocumentClient.from(stack.dynamo.client);
  const keys = signingKeys(stack.settings);
  const request: E2eStack["request"] = async (method, path, init = {}) => {
    const headers = { [ORIGIN_VERIFY_HEADER]: origin, ...init.headers };
    const response = await fetch(`${stack.url}${path}`, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString("utf8");
    return { status: response.status, headers: response.headers, text, bytes, json: <T>() => JSON.parse(text) as T };
  };
  return {
    stack,
    logLines,
    documents,
    send(platform, text, options) {
      const signed = platformRequest(platform, text, keys, options);
      return request(signed.method, signed.path, { headers: signed.headers, body: signed.body });
    },
    sign(platform, text, options) {
      return platformRequest(platform, text, keys, options);
    },
    sendSigned(signed) {
      return request(signed.method, signed.path, { headers: signed.headers, body: signed.body });
    },
    request,
    token(role) {
      const key = stack.settings.tokenKey;
      if (key === undefined) throw new Error("the e2e stack generates its JWKS");
      const env = stack.settings.env;
      return mintLocalToken(key, { issuer: env[ENV.authIssuer] ?? "", audience: env[ENV.authAudience] ?? "", rolesClaim: env[ENV.authRolesClaim] ?? "roles", role, expiresIn: "10m" });
    },
    async queuedReply(deliveryKey) {
      const item = await documents.send(new GetCommand({ TableName: stack.dynamo.tableName, Key: KEYS.reply(deliveryKey) }));
      return item.Item?.text as string | undefined;
    },
    async ticketMessages(ticketId) {
      const page = await documents.send(
        new QueryCommand({
          TableName: stack.dynamo.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :msg)",
          ExpressionAttributeValues: { ":pk": KEYS.ticket(ticketId).pk, ":msg": "MSG#" },
        }),
      );
      return (page.Items ?? []).map((item) => String(item.text ?? item.body ?? ""));
    },
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
