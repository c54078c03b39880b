/**
 * A loopback stand-in for Lambda's Invoke (REST-JSON, as @aws-sdk/client-lambda 3 speaks it:
 * POST /2015-03-31/functions/{FunctionName}/invocations). For InvocationType "Event" Lambda queues
 * the event and answers 202 with an empty body (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html);
 * that is all this answers. Records each invocation; `failNext` answers 500 instead. No local
 * Lambda service exists to run instead (the local stack invokes the outbox in process).
 */
import { createServer } from "node:http";
import { type AddressInfo } from "node:net";

export interface LambdaInvocation {
  readonly functionName: string;
  readonly invocationType: string | undefined;
  readonly payload: unknown;
}

export interface LambdaStandIn {
  readonly endpoint: string;
  readonly invocations: LambdaInvocation[];
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startLambdaStandIn(): Promise<LambdaStandIn> {
  const invocations: LambdaInvocation[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(new URL(req.url ?? "/", "http://lambda").pathname);
      if (req.method !== "POST" || match === null) {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ Type: "User", message: "stand-in knows Invoke only" }));
        return;
      }
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "ServiceException" }).end(JSON.stringify({ Type: "Service", message: "scripted failure" }));
        return;
      }
      const raw = Buffer.concat(chunks).toString("utf8");
      invocations.push({ functionName: decodeURIComponent(match[1] as string), invocationType: req.headers["x-amz-invocation-type"] as string | undefined, payload: raw === "" ? undefined : (JSON.parse(raw) as unknown) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    failNext(count) {
      failures += count;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
