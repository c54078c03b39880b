import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { CertificateValidationRecord, validated } from "../../../infra/cloudflare/certificateValidationRecord";
import { CLOUDFLARE_MANAGED_RULESET_ID, Edge } from "../../../infra/cloudflare/edge";
import { firewallRules, rateLimitRules } from "../../../infra/cloudflare/edgeRules";
import { render } from "../../../infra/cloudflare/expressions";
import { ORIGIN_VERIFY_HEADER } from "../../../runtime/routes";
import { type ProgramRun, type RegisteredResource, runProgram } from "../../../tools/program/runUnderMocks";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../tools/program/stackConfig";
import { buildUnderMocks, byType, oneOf, secretValues } from "./underMocks";

type Rule = { ref: string; action: string; expression: string; enabled?: boolean; actionParameters?: Record<string, unknown>; ratelimit?: Record<string, unknown> };

function only(run: ProgramRun, type: string, predicate: (r: RegisteredResource) => boolean = () => true): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type && predicate(r));
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0] as RegisteredResource;
}

function ruleset(run: ProgramRun, phase: string): RegisteredResource | undefined {
  return run.resources.find((r) => r.type === "cloudflare:index/ruleset:Ruleset" && r.inputs.phase === phase);
}

function rulesOf(resource: RegisteredResource | undefined): Rule[] {
  assert.ok(resource, "ruleset exists");
  const rules = resource.inputs.rules;
  // A rule list that carries a secret arrives wrapped as a secret as a whole.
  return (pulumi.runtime.isRpcSecret(rules) ? pulumi.runtime.unwrapRpcSecret(rules) : rules) as Rule[];
}

for (const stack of ["dev", "prod"] as const) {
  describe(`cloudflare edge: ${stack} stack (whole program under mocks)`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(stack);
    });

    it("proxies api.<domain> to the API Gateway custom domain", () => {
      const record = only(run, "cloudflare:index/dnsRecord:DnsRecord", (r) => r.inputs.proxied === true);
      assert.equal(record.inputs.zoneId, run.settings.cloudflare.zoneId);
      assert.equal(record.inputs.name, run.settings.apiHostname);
      assert.equal(record.inputs.name, stack === "prod" ? "api.bot.example.com" : "api.dev.bot.example.com");
      assert.equal(record.inputs.type, "CNAME");
      assert.equal(record.inputs.ttl, 1);
      assert.match(String(record.inputs.content), new RegExp(`^d-.+\\.execute-api\\.${run.settings.aws.region}\\.amazonaws\\.com$`));
    });

    it("creates the ACM validation record, DNS-only, and the certificate waits for exactly that name", () => {
      const record = only(run, "cloudflare:index/dnsRecord:DnsRecord", (r) => r.inputs.proxied === false);
      assert.deepEqual(
        { zone: record.inputs.zoneId, name: record.inputs.name, type: record.inputs.type, content: record.inputs.content, ttl: record.inputs.ttl },
        { zone: run.settings.cloudflare.zoneId, name: `_x1.${run.settings.apiHostname}`, type: "CNAME", content: "_x2.acm-validations.aws", ttl: 60 },
      );
      const validation = only(run, "aws:acm/certificateValidation:CertificateValidation");
      assert.deepEqual(validation.inputs.validationRecordFqdns, [record.inputs.name]);
    });

    it("sets strict TLS, TLS 1.2 minimum, TLS 1.3, HTTPS only, HTTPS rewrites and a one-year HSTS", () => {
      const settings = Object.fromEntries(
        run.resources.filter((r) => r.type === "cloudflare:index/zoneSetting:ZoneSetting").map((r) => [r.inputs.settingId, r.inputs.value]),
      );
      assert.deepEqual(settings, {
        ssl: "strict",
        min_tls_version: "1.2",
        tls_1_3: "on",
        always_use_https: "on",
        automatic_https_rewrites: "on",
        security_header: { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, nosniff: true, preload: false } },
      });
      for (const r of run.resources.filter((x) => x.type === "cloudflare:index/zoneSetting:ZoneSetting")) {
        assert.equal(r.inputs.zoneId, run.settings.cloudflare.zoneId);
      }
    });

    it("deploys the route-table firewall rules for this stack's hostname", () => {
      const rules = rulesOf(ruleset(run, "http_request_firewall_custom"));
      assert.deepEqual(
        rules.map((r) => [r.ref, r.action, r.expression, r.enabled]),
        firewallRules(run.settings.apiHostname).map((r) => [r.ref, "block", render(r.expression), true]),
      );
      for (const r of rules) assert.ok(r.expression.startsWith(`http.host eq "${run.settings.apiHostname}" and `), r.ref);
    });

    it("rate limits webhooks and api per client IP with the stack's limits", () => {
      const rules = rulesOf(ruleset(run, "http_ratelimit"));
      const { edgeWebhookRequestsPerMinute, edgeApiRequestsPerMinute } = run.settings.cloudflare;
      assert.deepEqual([edgeWebhookRequestsPerMinute, edgeApiRequestsPerMinute], [600, 120]);
      assert.deepEqual(
        rules.map((r) => ({ ref: r.ref, action: r.action, expression: r.expression, ratelimit: r.ratelimit })),
        rateLimitRules(run.settings.apiHostname, { webhooksPerMinute: edgeWebhookRequestsPerMinute, apiPerMinute: edgeApiRequestsPerMinute }).map((r) => ({
          ref: r.ref,
          action: "block",
          expression: render(r.expression),
          ratelimit: { characteristics: ["ip.src", "cf.colo.id"], period: 60, requestsPerPeriod: r.requestsPerPeriod, mitigationTimeout: 60 },
        })),
      );
    });

    it(stack === "prod" ? "runs the Cloudflare Managed Ruleset (prod sets cloudflareManagedWaf)" : "has no managed WAF ruleset (dev's plan lacks it)", () => {
      assert.equal(run.settings.cloudflare.managedWaf, stack === "prod");
      const managed = ruleset(run, "http_request_firewall_managed");
      if (stack === "prod") {
        assert.deepEqual(
          rulesOf(managed).map((r) => [r.action, r.actionParameters, r.expression]),
          [["execute", { id: CLOUDFLARE_MANAGED_RULESET_ID }, `http.host eq "${run.settings.apiHostname}"`]],
        );
      } else {
        assert.equal(managed, undefined);
      }
    });

    it("sets the origin-verify header from the stack secret on every request to the API host", () => {
      const lock = ruleset(run, "http_request_late_transform");
      assert.ok(lock && pulumi.runtime.isRpcSecret(lock.inputs.rules), "the rules holding the secret are stored encrypted");
      const [rule, ...rest] = rulesOf(lock);
      assert.equal(rest.length, 0);
      assert.ok(rule);
      assert.equal(rule.action, "rewrite");
      assert.equal(rule.expression, `http.host eq "${run.settings.apiHostname}"`);
      assert.deepEqual(rule.actionParameters, { headers: { [ORIGIN_VERIFY_HEADER]: { operation: "set", value: OFFLINE_SECRET_PLACEHOLDER } } });
    });

    it("owns one zone-level ruleset per phase, all in the stack's zone", () => {
      const rulesets = run.resources.filter((r) => r.type === "cloudflare:index/ruleset:Ruleset");
      const phases = rulesets.map((r) => r.inputs.phase).sort();
      assert.deepEqual(new Set(phases).size, phases.length);
      for (const r of rulesets) assert.deepEqual([r.inputs.kind, r.inputs.zoneId, r.inputs.accountId], ["zone", run.settings.cloudflare.zoneId, undefined]);
    });
  });
}

describe("cloudflare edge: the managed WAF follows botfleet:cloudflareManagedWaf", () => {
  it("turns on in dev when set to true and off in prod when set to false", async () => {
    const dev = await runProgram("dev", { overrides: { "botfleet:cloudflareManagedWaf": "true" } });
    assert.ok(ruleset(dev, "http_request_firewall_managed"));
    const prod = await runProgram("prod", { overrides: { "botfleet:cloudflareManagedWaf": "false" } });
    assert.equal(ruleset(prod, "http_request_firewall_managed"), undefined);
    assert.ok(ruleset(prod, "http_request_firewall_custom"), "the custom rules do not depend on the plan setting");
  });

  it("uses the configured rate limits", async () => {
    const run = await runProgram("dev", { overrides: { "botfleet:edgeWebhookRequestsPerMinute": "1234", "botfleet:edgeApiRequestsPerMinute": "56" } });
    assert.deepEqual(
      rulesOf(ruleset(run, "http_ratelimit")).map((r) => r.ratelimit?.requestsPerPeriod),
      [1234, 56],
    );
  });
});

describe("cloudflare edge component", () => {
  it("hands the origin-verify value to the engine as a secret, never as plain text", async () => {
    const run = await buildUnderMocks("prod", (settings, providers) => {
      const edge = new Edge("edge", { settings, apiDomainTarget: "d-abc.execute-api.eu-west-1.amazonaws.com" }, { provider: providers.cloudflare });
      return { hostname: edge.hostname };
    });
    const lock = byType(run.resources, "cloudflare:index/ruleset:Ruleset").find((r) => r.inputs.phase === "http_request_late_transform");
    assert.ok(lock);
    assert.deepEqual(secretValues(lock.wireInputs), [OFFLINE_SECRET_PLACEHOLDER]);
    const component = oneOf(run.resources, "botfleet:cloudflare:Edge");
    for (const r of run.resources.filter((x) => x.custom && x.type.startsWith("cloudflare:index/"))) {
      assert.equal(r.parent, component.urn, `${r.type} is a child of the edge`);
    }
    assert.equal(run.outputs.hostname, "api.bot.example.com");
  });

  it("validation records: strips trailing dots and refuses what ACM would never send", async () => {
    assert.deepEqual(validated({ name: "_a1.api.bot.example.com.", type: "CNAME", value: "_b2.acm-validations.aws." }), {
      name: "_a1.api.bot.example.com",
      type: "CNAME",
      value: "_b2.acm-validations.aws",
    });
    assert.throws(() => validated({ name: "_a1.api.bot.example.com.", type: "TXT", value: "x.aws." }), /CNAME/);
    assert.throws(() => validated({ name: "bad name", type: "CNAME", value: "x.aws." }), /not a DNS name/);
    assert.throws(() => validated({ name: "_a.example.com", type: "CNAME", value: "" }), /not a DNS name/);

    const run = await buildUnderMocks("dev", (settings, providers) => {
      const record = new CertificateValidationRecord(
        "cert",
        { zoneId: settings.cloudflare.zoneId, record: pulumi.output({ name: "_a1.api.dev.bot.example.com.", type: "CNAME", value: "_b2.acm-validations.aws." }) },
        { provider: providers.cloudflare },
      );
      return { fqdn: record.fqdn };
    });
    assert.equal(run.outputs.fqdn, "_a1.api.dev.bot.example.com");
    const dns = oneOf(run.resources, "cloudflare:index/dnsRecord:DnsRecord");
    assert.deepEqual([dns.inputs.proxied, dns.inputs.ttl, dns.parent], [false, 60, oneOf(run.resources, "botfleet:cloudflare:CertificateValidationRecord").urn]);
  });
});
