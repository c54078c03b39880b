/**
 * Sends this process's HTTPS requests for named hosts to loopback servers instead (plain HTTP), so
 * code that hard-wires a public endpoint (google-auth-library's STS and IAM Credentials URLs from a
 * credential configuration, @google-cloud/storage's storage.googleapis.com) runs unchanged against a
 * local server. The request keeps its path, method and headers; only where it goes changes.
 * Every other host is refused, so nothing leaves the machine by accident.
 */
import type * as Http from "node:http";
import type * as Https from "node:https";

/* eslint-disable @typescript-eslint/no-require-imports */
const http = require("node:http") as typeof Http;
const https = require("node:https") as typeof Https;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Host → http://127.0.0.1:<port> while redirected; returns the undo. */
export function redirectHttps(hosts: Readonly<Record<string, string>>): () => void {
  const original = https.request;
  const redirected = function (...args: unknown[]) {
    const [first, second, third] = args;
    const url = typeof first === "string" ? new URL(first) : first instanceof URL ? first : undefined;
    const options = (url === undefined ? first : typeof second === "object" && second !== null ? second : {}) as Https.RequestOptions;
    const callback = [second, third].find((a) => typeof a === "function") as ((res: Http.IncomingMessage) => void) | undefined;
    const host = url?.hostname ?? String(options.hostname ?? options.host ?? "").replace(/:\d+$/, "");
    const target = hosts[host];
    if (target === undefined) throw new Error(`egress to ${host} refused in tests (not redirected to a local server)`);
    const local = new URL(target);
    const path = url !== undefined ? url.pathname + url.search : String(options.path ?? "/");
    const headers = { ...(options.headers as Record<string, string> | undefined), host };
    const { agent: _agent, ...rest } = options;
    void _agent;
    return http.request({ ...rest, protocol: "http:", hostname: local.hostname, host: local.hostname, port: Number(local.port), path, headers, method: options.method ?? "GET" }, callback);
  };
  (https as { request: unknown }).request = redirected;
  return () => {
    (https as { request: unknown }).request = original;
  };
}
