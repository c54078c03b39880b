/**
 * Mocha root-hook plugin (.mocharc.json "require"): while the suites run, records every cloud call
 * a handler makes — the handler being the entry point whose request is running
 * (runtime/adapters/cloudCalls.ts, set by the shared HTTP layer) — and writes them to
 * them after the run to the file BOTFLEET_CALLS_FILE names, for test/iam/leastPrivilege.check.ts.
 *
 * What is seen, and where:
 * - AWS SDK: every command any client sends (Client.prototype.send of @smithy/core, the one copy
 *   every SDK client here extends), with the table/index, partition keys touched and queue;
 * - GCS: every JSON-API request leaving the process (node:http request, which @google-cloud/storage
 *   ends in), as method + bucket + object prefix; and the federation path in front of it (Google
 *   STS's token exchange with the provider its body names, IAM Credentials' generateAccessToken);
 * - secrets: the runtime's secret sources note each read by name (local mode has no SDK call).
 * Calls made outside a handler (test setup, direct adapter tests) are not attributed to anyone.
 */
import type * as Http from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Client } from "@smithy/core/client";
import { currentHandler, setCloudCallListener } from "../../runtime/adapters/cloudCalls";
import { type RecordedCall, describeFederationRequest, describeGcsRequest, describeSdkCommand } from "./cloudCalls";

/**
 * Where this run's calls go: `npm test` names one file per run in BOTFLEET_CALLS_FILE for both of
 * its mocha invocations, so a spec run by hand (or another run in the same checkout) never
 * replaces the suite's record. Unset: nothing is written.
 */
export const CALLS_FILE_ENV = "BOTFLEET_CALLS_FILE";
export const callsFile = (): string | undefined => {
  const named = process.env[CALLS_FILE_ENV];
  return named === undefined || named === "" ? undefined : resolve(named);
};

// The module object itself (an `import * as` namespace is a copy whose members cannot be replaced).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require("node:http") as typeof Http;

const recorded = new Map<string, RecordedCall>();

/** One row per handler, action, resource and keys: repeats only count. */
const callKey = (call: Omit<RecordedCall, "count">): string => JSON.stringify([call.handler, call.action, call.resource, call.leadingKeys]);

function record(call: Omit<RecordedCall, "count">): void {
  const key = callKey(call);
  const seen = recorded.get(key);
  recorded.set(key, { ...call, count: (seen?.count ?? 0) + 1 });
}

function install(): void {
  type Send = (this: Client<never, never, never, never>, command: unknown, ...rest: unknown[]) => unknown;
  const prototype = Client.prototype as unknown as { send: Send };
  const originalSend = prototype.send;
  prototype.send = function (this: Client<never, never, never, never>, command: unknown, ...rest: unknown[]) {
    const handler = currentHandler();
    if (handler !== undefined) {
      const call = describeSdkCommand(this.constructor.name, command);
      if (call !== undefined) record({ handler, ...call });
    }
    return originalSend.call(this, command, ...rest);
  };

  const originalRequest = http.request;
  const patched = function (this: unknown, ...args: unknown[]) {
    const handler = currentHandler();
    if (handler !== undefined) {
      const target = args[0];
      const options = (typeof target === "object" && target !== null && !(target instanceof URL) ? target : (args[1] ?? {})) as Http.RequestOptions;
      const url = target instanceof URL ? target.pathname + target.search : typeof target === "string" ? new URL(target).pathname + new URL(target).search : String(options.path ?? "/");
      const method = String(options.method ?? "GET");
      const call = describeGcsRequest(method, url);
      if (call !== undefined) record({ handler, ...call });
      else if (describeFederationRequest(method, url, "") !== undefined) {
        // The provider a token exchange is for is in its body: record once the body is complete.
        const request = (originalRequest as (...a: unknown[]) => Http.ClientRequest).apply(this, args);
        const chunks: string[] = [];
        const write = request.write.bind(request) as (...a: unknown[]) => boolean;
        const end = request.end.bind(request) as (...a: unknown[]) => Http.ClientRequest;
        (request as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
          if (typeof chunk === "string" || Buffer.isBuffer(chunk)) chunks.push(chunk.toString());
          return write(chunk, ...rest);
        };
        (request as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
          if (typeof chunk === "string" || Buffer.isBuffer(chunk)) chunks.push(chunk.toString());
          const federation = describeFederationRequest(method, url, chunks.join(""));
          if (federation !== undefined) record({ handler, ...federation });
          return end(chunk, ...rest);
        };
        return request;
      }
    }
    return (originalRequest as (...a: unknown[]) => Http.ClientRequest).apply(this, args);
  };
  (http as { request: typeof http.request }).request = patched as typeof http.request;

  setCloudCallListener((call, handler) => {
    if (handler !== undefined) record({ handler, service: call.service, action: `${call.service}:${call.action}`, resource: `secret/${call.resource}`, leadingKeys: [] });
  });
}

install();

/**
 * Mocha runs the specs in parallel worker processes, each with its own recorder: each process keeps
 * its whole record in a file of its own under `<BOTFLEET_CALLS_FILE>.d/` (rewritten after every spec
 * file, since a worker is never told it is the last), and the check merges them.
 */
const processFile = (file: string): string => join(`${file}.d`, `${process.pid}.json`);

export const mochaHooks = {
  afterAll(): void {
    // A run that exercised no handler (e.g. the least-privilege check itself) leaves the record alone.
    const file = callsFile();
    if (file === undefined || recorded.size === 0) return;
    mkdirSync(`${file}.d`, { recursive: true });
    writeFileSync(processFile(file), `${JSON.stringify({ writtenAt: new Date().toISOString(), calls: [...recorded.values()] }, null, 1)}\n`);
  },
};

/** Every call the run's processes recorded, merged (counts summed); undefined when none recorded anything. */
export function readRecordedCalls(file: string): RecordedCall[] | undefined {
  const dir = `${file}.d`;
  if (!existsSync(dir)) return undefined;
  const merged = new Map<string, RecordedCall>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    for (const call of (JSON.parse(readFileSync(join(dir, name), "utf8")) as { calls: RecordedCall[] }).calls) {
      const key = callKey(call);
      const seen = merged.get(key);
      merged.set(key, { ...call, count: (seen?.count ?? 0) + call.count });
    }
  }
  return merged.size === 0 ? undefined : [...merged.values()];
}
