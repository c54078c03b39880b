/**
 * A loopback stand-in for SQS's SendMessage (AWS JSON 1.0 protocol, as @aws-sdk/client-sqs 3 speaks
 * it): records each message and answers with the MD5 the SDK verifies. Only SendMessage exists;
 * anything else gets a 400 so an unexpected call fails loudly.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { type AddressInfo } from "node:net";

export interface SqsStandIn {
  readonly endpoint: string;
  readonly messages: { queueUrl: string; body: string }[];
  stop(): Promise<void>;
}

export async function startSqsStandIn(): Promise<SqsStandIn> {
  const messages: { queueUrl: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const target = req.headers["x-amz-target"];
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { QueueUrl?: string; MessageBody?: string };
      if (target !== "AmazonSQS.SendMessage" || !input.QueueUrl || input.MessageBody === undefined) {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: "com.amazonaws.sqs#InvalidAction", message: "stand-in knows SendMessage only" }));
        return;
      }
      messages.push({ queueUrl: input.QueueUrl, body: input.MessageBody });
      const md5 = createHash("md5").update(input.MessageBody).digest("hex");
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
