import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { CertificateValidationRecord, validated } from "../../../infra/cloudflare/certificateValidationRecord";
import { labelsBelow } from "../../../infra/cloudflare/certificateCoverage";
import { CLOUDFLARE_MANAGED_RULESET_ID, Edge, EDGE_PHASES } from "../../../infra/cloudflare/edge";
import { firewallRules, rateLimitRules } from "../../../infra/cloudflare/edgeRules";
import { entryPointProblems, OWN_REF_PREFIX } from "../../../infra/cloudflare/entryPoints";
import { weakTlsRule } from "../../../infra/cloudflare/hostTls";
import { render } from "../../../infra/cloudflare/expressions";
import { ORIGIN_VERIFY_HEADER } from "../../../runtime/routes";
import { type ApiRule, type ApiRuleset, type ApiZone, dashboardRule } from "../../../tools/program/cloudflareStandIn";
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
      assert.equal(record.inputs.name, stack === "prod" ? "api.example.com" : "api.example.net");
      assert.equal(labelsBelow(String(record.inputs.name), run.settings.cloudflare.zoneName), 1, "a first-level name: Universal SSL covers it");
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

    it("sets nothing zone-wide: no zone setting, no certificate pack, no hostname setting (the defaults)", () => {
      assert.deepEqual(
        run.resources.filter((r) => ["cloudflare:index/zoneSetting:ZoneSetting", "cloudflare:index/certificatePack:CertificatePack", "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting"].includes(r.type)),
        [],
      );
    });

    it("scopes SSL Full (strict), the HTTPS redirect, HSTS and TLS >= 1.2 to the API host", () => {
      const host = run.settings.apiHostname;
      const onHost = `http.host eq "${host}"`;
      const [config, ...moreConfig] = rulesOf(ruleset(run, "http_config_settings"));
      assert.deepEqual(moreConfig, []);
      assert.deepEqual([config?.action, config?.expression, config?.actionParameters], ["set_config", onHost, { ssl: "strict" }]);
      const [redirect, ...moreRedirects] = rulesOf(ruleset(run, "http_request_dynamic_redirect"));
      assert.deepEqual(moreRedirects, []);
      assert.deepEqual([redirect?.action, redirect?.expression], ["redirect", `${onHost} and not ssl`]);
      assert.deepEqual(redirect?.actionParameters, { fromValue: { statusCode: 308, preserveQueryString: true, targetUrl: { expression: 'concat("https://", http.host, http.request.uri.path)' } } });
      const [hsts, ...moreHeaders] = rulesOf(ruleset(run, "http_response_headers_transform"));
      assert.deepEqual(moreHeaders, []);
      assert.deepEqual([hsts?.action, hsts?.expression], ["rewrite", onHost]);
      assert.deepEqual(hsts?.actionParameters, { headers: { "Strict-Transport-Security": { operation: "set", value: "max-age=31536000" }, "X-Content-Type-Options": { operation: "set", value: "nosniff" } } });
      const [tls] = rulesOf(ruleset(run, "http_request_firewall_custom"));
      assert.deepEqual([tls?.ref, tls?.action, tls?.expression], ["botfleet_block_tls_below_1_2", "block", `${onHost} and cf.tls_version in {"TLSv1" "TLSv1.1"}`]);
    });

    it("scopes every rule of every ruleset to the API host, and every rule carries botfleet's ref prefix", () => {
      for (const r of run.resources.filter((x) => x.type === "cloudflare:index/ruleset:Ruleset")) {
        for (const rule of rulesOf(r)) {
          assert.ok(rule.expression === `http.host eq "${run.settings.apiHostname}"` || rule.expression.startsWith(`http.host eq "${run.settings.apiHostname}" and `), `${String(r.inputs.phase)} ${rule.ref}`);
          assert.ok(rule.ref.startsWith(OWN_REF_PREFIX), rule.ref);
        }
      }
    });

    it("deploys the route-table firewall rules for this stack's hostname", () => {
      const rules = rulesOf(ruleset(run, "http_request_firewall_custom"));
      assert.deepEqual(
        rules.map((r) => [r.ref, r.action, r.expression, r.enabled]),
        [weakTlsRule(run.settings.apiHostname), ...firewallRules(run.settings.apiHostname)].map((r) => [`botfleet_${r.ref}`, "block", render(r.expression), true]),
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
          ref: `botfleet_${r.ref}`,
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

    it("owns one zone-level ruleset per phase, all in the stack's zone, and nothing at account level", () => {
      const rulesets = run.resources.filter((r) => r.type === "cloudflare:index/ruleset:Ruleset");
      const phases = rulesets.map((r) => r.inputs.phase).sort();
      assert.deepEqual(phases, Object.values(EDGE_PHASES).filter((p) => stack === "prod" || p !== "http_request_firewall_managed").sort());
      for (const r of rulesets) assert.equal(r.inputs.name, `botfleet ${String(r.inputs.phase)}`);
      for (const r of run.resources.filter((x) => x.type.startsWith("cloudflare:index/"))) assert.equal(r.inputs.zoneId, run.settings.cloudflare.zoneId, r.urn);
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
    assert.equal(run.outputs.hostname, "api.example.com");
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

/** The edge alone, built with the stack's config, against a zone as the Cloudflare API stand-in describes it. */
function buildEdge(stack: "dev" | "prod", overrides: Record<string, string> = {}, cloudflareZone?: (fresh: ApiZone) => ApiZone, written: string[] = []) {
  return buildUnderMocks(
    stack,
    (settings, providers) => {
      const edge = new Edge("edge", { settings, apiDomainTarget: "d-abc.execute-api.eu-west-1.amazonaws.com" }, { provider: providers.cloudflare });
      return { hostname: edge.hostname, ready: edge.ready };
    },
    overrides,
    { cloudflareZone, onRegister: (r) => r.custom && r.type.startsWith("cloudflare:index/") && written.push(r.type) },
  );
}

/** An entry point someone built in the dashboard: rule refs are the rules' own ids. */
const dashboardEntryPoint = (phase: string, rules: ApiRule[], name = "default"): ApiRuleset => ({
  id: "2f2feab2026849078ba485f918791bdc",
  name,
  description: "",
  kind: "zone",
  phase,
  version: "3",
  last_updated: "2025-01-06T12:00:00.000000Z",
  rules,
});
const siblingRedirect = dashboardRule("3a03d665bac047339bb530ecb439a90d", "redirect", '(http.host eq "www.example.com" and not ssl)', "HTTPS for the shop");

describe("cloudflare edge: opt-in zone-wide settings and advanced certificate", () => {
  it("sets the zone-wide TLS settings only with botfleet:cloudflareZoneWideTls, and keeps the per-host rules", async () => {
    const run = await buildEdge("dev", { "botfleet:cloudflareZoneWideTls": "true" });
    const settings = Object.fromEntries(byType(run.resources, "cloudflare:index/zoneSetting:ZoneSetting").map((r) => [r.inputs.settingId, r.inputs.value]));
    assert.deepEqual(settings, {
      ssl: "strict",
      min_tls_version: "1.2",
      tls_1_3: "on",
      always_use_https: "on",
      automatic_https_rewrites: "on",
      security_header: { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, nosniff: true, preload: false } },
    });
    assert.equal(byType(run.resources, "cloudflare:index/ruleset:Ruleset").filter((r) => r.inputs.phase === "http_config_settings").length, 1);
  });

  it("orders an advanced certificate for the apex and the host, and sets the host's own minimum TLS, with botfleet:cloudflareAdvancedCertificate", async () => {
    const run = await buildEdge("prod", { "botfleet:cloudflareAdvancedCertificate": "true", "botfleet:domain": "bot.example.com" });
    const pack = oneOf(run.resources, "cloudflare:index/certificatePack:CertificatePack");
    assert.deepEqual(
      [pack.inputs.hosts, pack.inputs.type, pack.inputs.validationMethod, pack.inputs.zoneId],
      [["example.com", "api.bot.example.com"], "advanced", "txt", run.settings.cloudflare.zoneId],
    );
    const minTls = oneOf(run.resources, "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting");
    assert.deepEqual([minTls.inputs.hostname, minTls.inputs.settingId, minTls.inputs.value], ["api.bot.example.com", "min_tls_version", "1.2"]);
    assert.deepEqual(byType(run.resources, "cloudflare:index/zoneSetting:ZoneSetting"), []);
  });
});

describe("cloudflare edge: existing entry-point rulesets (read at deploy time; Cloudflare API stand-in)", () => {
  it("refuses a zone whose redirect phase holds a dashboard rule, listing it, and writes nothing", async () => {
    const written: string[] = [];
    await assert.rejects(
      buildEdge("dev", {}, (zone) => ({ ...zone, rulesets: [dashboardEntryPoint("http_request_dynamic_redirect", [siblingRedirect])] }), written),
      (error: Error) => {
        assert.match(error.message, /botfleet:cloudflareAdoptForeignRules: phase http_request_dynamic_redirect of zone 0000000000000000000000000000000a already has entry-point ruleset 2f2feab2026849078ba485f918791bdc \("default"\), not created by botfleet, with 1 rule/);
        assert.match(error.message, /3a03d665bac047339bb530ecb439a90d "HTTPS for the shop": redirect when \(http\.host eq "www\.example\.com" and not ssl\)/);
        assert.match(error.message, /import zones\/0000000000000000000000000000000a\/2f2feab2026849078ba485f918791bdc as edge-https-redirect/);
        return true;
      },
    );
    assert.deepEqual(written, [], "no DNS record, ruleset or setting is written into a refused zone");
  });

  it("refuses a dashboard rule added to botfleet's own entry point, and an empty entry point botfleet did not create", async () => {
    const ours = dashboardEntryPoint("http_request_firewall_custom", [{ ...siblingRedirect, action: "skip" }], "botfleet http_request_firewall_custom");
    await assert.rejects(buildEdge("dev", {}, (zone) => ({ ...zone, rulesets: [ours] })), /phase http_request_firewall_custom .* with 1 rule\(s\) botfleet did not write/);
    const empty = dashboardEntryPoint("http_config_settings", []);
    await assert.rejects(buildEdge("dev", {}, (zone) => ({ ...zone, rulesets: [empty] })), /phase http_config_settings .*not created by botfleet, with 0 rule/);
  });

  it("deploys over an entry point holding only botfleet's own rules, and ignores phases and kinds the edge does not write", async () => {
    const own = dashboardEntryPoint("http_ratelimit", [{ ...dashboardRule("r1", "block", "true", "x"), ref: "botfleet_rate_limit_api" }], "botfleet http_ratelimit");
    const other = dashboardEntryPoint("http_request_origin", [siblingRedirect]);
    const managed: ApiRuleset = { ...dashboardEntryPoint("http_request_firewall_managed", [siblingRedirect]), kind: "managed", id: "efb7b8c949ac4650a09736fc376e9aee" };
    const run = await buildEdge("dev", {}, (zone) => ({ ...zone, rulesets: [own, other, managed] }));
    assert.ok(byType(run.resources, "cloudflare:index/ruleset:Ruleset").length > 0);
  });

  it("adopts foreign rules only when the stack opts in with botfleet:cloudflareAdoptForeignRules", async () => {
    const run = await buildEdge("dev", { "botfleet:cloudflareAdoptForeignRules": "true" }, (zone) => ({ ...zone, rulesets: [dashboardEntryPoint("http_request_dynamic_redirect", [siblingRedirect])] }));
    assert.equal(byType(run.resources, "cloudflare:index/ruleset:Ruleset").filter((r) => r.inputs.phase === "http_request_dynamic_redirect").length, 1);
  });

  it("refuses a zone id that names another zone or another account, naming the key", async () => {
    await assert.rejects(buildEdge("dev", {}, (zone) => ({ ...zone, name: "example.org" })), /botfleet:cloudflareZoneName: zone 0000000000000000000000000000000a is named example\.org, not example\.net/);
    await assert.rejects(
      buildEdge("dev", {}, (zone) => ({ ...zone, account: { id: "f".repeat(32), name: "someone else" } })),
      /botfleet:cloudflareAccountId: zone 0000000000000000000000000000000a belongs to account f{32}, not 0{31}1/,
    );
  });

  it("judges entry points without the network: only rules without botfleet's prefix are foreign", () => {
    const expected = { zoneId: "z", zoneName: "example.com", accountId: "a", phases: { http_ratelimit: "edge-ratelimit" }, adoptForeignRules: false };
    const zone = { id: "z", name: "example.com", accountId: "a" };
    assert.deepEqual(entryPointProblems(expected, zone, [{ id: "1", phase: "http_ratelimit", name: "botfleet http_ratelimit", rules: [{ ref: "botfleet_x" }] }]), []);
    assert.equal(entryPointProblems(expected, zone, [{ id: "1", phase: "http_ratelimit", name: "botfleet http_ratelimit", rules: [{ ref: "botfleetx" }, {}] }]).length, 1);
    assert.deepEqual(entryPointProblems({ ...expected, adoptForeignRules: true }, zone, [{ id: "1", phase: "http_ratelimit", name: "default", rules: [{}] }]), []);
  });
});
