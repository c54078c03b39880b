import { strict as assert } from "node:assert";
import type { ServerResponse } from "node:http";
import { ROUTES } from "../../runtime/routes";
import { toApiGatewayEvent, writeResult } from "../../tools/local/apiGatewayEvent";

const route = (method: string, path: string) => {
  const found = ROUTES.find((r) => r.method === method && r.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};

describe("local stack: HTTP request → API Gateway v2 event → HTTP response", () => {
  it("builds the payload 2.0 event: route key, raw path and query, lower-case headers, cookies, parameters", () => {
    const event = toApiGatewayEvent(
      {
        method: "GET",
        url: "/api/tickets/abc%20d?status=open&tag=a&tag=b",
        headers: { "X-Custom": "1", cookie: "a=1; b=2", "user-agent": "curl/8", accept: ["x", "y"] as unknown as string },
        body: Buffer.alloc(0),
        sourceIp: "127.0.0.1",
        domainName: "127.0.0.1:8787",
      },
      route("GET", "/api/tickets/{id}"),
      { id: "abc d" },
      "req-1",
      Date.UTC(2026, 10, 22, 6, 30, 0),
    );
    assert.equal(event.version, "2.0");
    assert.equal(event.routeKey, "GET /api/tickets/{id}");
    assert.equal(event.rawPath, "/api/tickets/abc%20d");
    assert.equal(event.rawQueryString, "status=open&tag=a&tag=b");
    assert.deepEqual(event.queryStringParameters, { status: "open", tag: "a,b" });
    assert.deepEqual(event.pathParameters, { id: "abc d" });
    assert.deepEqual(event.cookies, ["a=1", "b=2"]);
    assert.equal(event.headers["x-custom"], "1");
    assert.equal(event.headers.accept, "x,y");
    assert.equal(event.headers.cookie, undefined);
    assert.equal(event.body, undefined);
    assert.equal(event.isBase64Encoded, false);
    assert.deepEqual(event.requestContext.http, { method: "GET", path: "/api/tickets/abc%20d", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "curl/8" });
    assert.equal(event.requestContext.stage, "$default");
    assert.equal(event.requestContext.accountId, "local");
    assert.equal(event.requestContext.apiId, "local");
    assert.equal(event.requestContext.requestId, "req-1");
    assert.equal(event.requestContext.time, "22/Nov/2026:06:30:00 +0000");
    assert.equal(event.requestContext.timeEpoch, Date.UTC(2026, 10, 22, 6, 30, 0));
  });

  it("passes JSON and form bodies as text and anything else base64-encoded", () => {
    const call = (contentType: string | undefined, body: Buffer) =>
      toApiGatewayEvent(
        { method: "POST", url: "/webhooks/slack", headers: contentType ? { "content-type": contentType } : {}, body, sourceIp: "127.0.0.1", domainName: "localhost" },
        route("POST", "/webhooks/slack"),
        {},
        "r",
      );
    assert.deepEqual([call("application/json; charset=utf-8", Buffer.from('{"a":1}')).body, call("application/json", Buffer.from("{}")).isBase64Encoded], ['{"a":1}', false]);
    assert.equal(call("application/x-www-form-urlencoded", Buffer.from("a=1")).body, "a=1");
    const binary = call("application/octet-stream", Buffer.from([0, 255, 1]));
    assert.equal(binary.isBase64Encoded, true);
    assert.equal(binary.body, Buffer.from([0, 255, 1]).toString("base64"));
    assert.equal(call(undefined, Buffer.from("x")).isBase64Encoded, true);
  });

  it("writes the result back: status, headers, Set-Cookie, base64 bodies decoded", () => {
    let written: { status: number; headers: Record<string, unknown>; body: Buffer } | undefined;
    const res = {
      writeHead(status: number, headers: Record<string, unknown>) {
        written = { status, headers, body: Buffer.alloc(0) };
        return this;
      },
      end(body: Buffer) {
        if (written) written.body = body;
      },
    } as unknown as ServerResponse;
    writeResult(res, { statusCode: 201, headers: { "content-type": "application/gzip" }, body: Buffer.from([1, 2, 3]).toString("base64"), isBase64Encoded: true, cookies: ["s=1; HttpOnly"] });
    assert.equal(written?.status, 201);
    assert.deepEqual([...(written?.body ?? [])], [1, 2, 3]);
    assert.equal(written?.headers["content-length"], "3");
    assert.deepEqual(written?.headers["set-cookie"], ["s=1; HttpOnly"]);
  });
});
