import { cloudflareEdgeDisallowTlsDowngrade } from "../../policypacks/security/cloudflare/edge/disallowTlsDowngrade";
import { cloudflareResourceRequireStackZone } from "../../policypacks/security/cloudflare/resource/requireStackZone";
import { cloudflareZoneRequireTlsSettings } from "../../policypacks/security/cloudflare/zone/requireTlsSettings";
import { cloudflareZoneSettingRequireAlwaysHttps } from "../../policypacks/security/cloudflare/zoneSetting/requireAlwaysHttps";
import { cloudflareZoneSettingRequireMinTls12 } from "../../policypacks/security/cloudflare/zoneSetting/requireMinTls12";
import { cloudflareZoneSettingRequireSslStrict } from "../../policypacks/security/cloudflare/zoneSetting/requireSslStrict";
import { analyze, analyzeStack, expectClean, expectDeferredOnly, expectViolation, type TestResource, UNKNOWN } from "./harness";

const ZONE = "0000000000000000000000000000000a";
const ACCOUNT = "00000000000000000000000000000001";
const HOST = "api.example.net";
const TYPE = "cloudflare:index/zoneSetting:ZoneSetting";
const setting = (settingId: string, value: unknown): TestResource => ({ type: TYPE, name: settingId, props: { zoneId: ZONE, settingId, value } });
const cases = [
  { policy: cloudflareZoneSettingRequireMinTls12, good: setting("min_tls_version", "1.2"), bad: setting("min_tls_version", "1.0") },
  { policy: cloudflareZoneSettingRequireSslStrict, good: setting("ssl", "strict"), bad: setting("ssl", "flexible") },
  { policy: cloudflareZoneSettingRequireAlwaysHttps, good: setting("always_use_https", "on"), bad: setting("always_use_https", "off") },
];
const record: TestResource = { type: "cloudflare:index/dnsRecord:DnsRecord", name: "api", props: { zoneId: ZONE, name: HOST, type: "CNAME", proxied: true } };

/** The edge's per-host form, as infra/cloudflare/edge.ts writes it. */
const ruleset = (phase: string, rules: Record<string, unknown>[], name = phase): TestResource => ({ type: "cloudflare:index/ruleset:Ruleset", name, props: { zoneId: ZONE, kind: "zone", phase, rules } });
const onHost = `http.host eq "${HOST}"`;
const sslRule = ruleset("http_config_settings", [{ ref: "botfleet_ssl_strict", action: "set_config", expression: onHost, actionParameters: { ssl: "strict" }, enabled: true }]);
const redirectRule = ruleset("http_request_dynamic_redirect", [
  { ref: "botfleet_https_only", action: "redirect", expression: `${onHost} and not ssl`, actionParameters: { fromValue: { statusCode: 308, preserveQueryString: true, targetUrl: { expression: 'concat("https://", http.host, http.request.uri.path)' } } }, enabled: true },
]);
const tlsRule = ruleset("http_request_firewall_custom", [{ ref: "botfleet_block_tls_below_1_2", action: "block", expression: `${onHost} and cf.tls_version in {"TLSv1" "TLSv1.1"}`, enabled: true }]);
const perHost = [record, sslRule, redirectRule, tlsRule];

describe("policy pack: Cloudflare edge TLS", () => {
  for (const { policy, good, bad } of cases) {
    it(`${policy.name}: accepts ${JSON.stringify(good.props.value)}, rejects ${JSON.stringify(bad.props.value)}`, async () => {
      expectClean(await analyze(policy, good));
      expectViolation(await analyze(policy, bad), policy.name);
    });
  }

  it("accepts min TLS 1.3 and ignores settings other policies judge", async () => {
    expectClean(await analyze(cloudflareZoneSettingRequireMinTls12, setting("min_tls_version", "1.3")));
    expectClean(await analyze(cloudflareZoneSettingRequireMinTls12, setting("ssl", "flexible")));
  });

  describe("cloudflare-zone-require-tls-settings: zone-wide or per host", () => {
    it("accepts a proxied host whose zone has all three TLS settings", async () => {
      expectClean(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, ...cases.map((c) => c.good)]));
    });

    it("accepts a proxied host covered by rules scoped to it (the edge's default), and a HostnameTlsSetting for TLS", async () => {
      expectClean(await analyzeStack(cloudflareZoneRequireTlsSettings, perHost));
      const hostSetting: TestResource = { type: "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting", name: "min", props: { zoneId: ZONE, hostname: HOST, settingId: "min_tls_version", value: "1.2" } };
      expectClean(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, sslRule, redirectRule, hostSetting]));
    });

    it("rejects a zone the stack serves from without an always_use_https setting or redirect", async () => {
      expectViolation(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, cases[0]!.good, cases[1]!.good]), "cloudflare-zone-require-tls-settings");
    });

    it("rejects each per-host guarantee missing: no SSL rule, no redirect, no TLS floor", async () => {
      for (const missing of [sslRule, redirectRule, tlsRule]) {
        expectViolation(await analyzeStack(cloudflareZoneRequireTlsSettings, perHost.filter((r) => r !== missing)), "cloudflare-zone-require-tls-settings");
      }
    });

    it("bypass: rules for another host, narrowed to one path, disabled, or in another zone do not cover the host", async () => {
      const narrowed = ruleset("http_config_settings", [{ action: "set_config", expression: `${onHost} and http.request.uri.path eq "/health"`, actionParameters: { ssl: "strict" } }]);
      const otherHost = ruleset("http_config_settings", [{ action: "set_config", expression: 'http.host eq "www.example.net"', actionParameters: { ssl: "strict" } }]);
      const disabled = ruleset("http_config_settings", [{ action: "set_config", expression: onHost, actionParameters: { ssl: "strict" }, enabled: false }]);
      const otherZone = { ...sslRule, props: { ...sslRule.props, zoneId: "f".repeat(32) } };
      for (const fake of [narrowed, otherHost, disabled, otherZone]) {
        expectViolation(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, fake, redirectRule, tlsRule]), "cloudflare-zone-require-tls-settings");
      }
      const toHttp = ruleset("http_request_dynamic_redirect", [{ action: "redirect", expression: `${onHost} and not ssl`, actionParameters: { fromValue: { targetUrl: { expression: 'concat("http://", http.host)' } } } }]);
      expectViolation(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, sslRule, toHttp, tlsRule]), "cloudflare-zone-require-tls-settings");
    });

    it("asks nothing of a zone where the stack proxies no host (a DNS-only validation record)", async () => {
      expectClean(await analyzeStack(cloudflareZoneRequireTlsSettings, [{ ...record, props: { ...record.props, name: "_x1.api.example.net", proxied: false } }]));
    });
  });

  describe("cloudflare-edge-disallow-tls-downgrade: per-host rules cannot be used to downgrade", () => {
    it("accepts the edge's own per-host rules", async () => {
      const hsts = ruleset("http_response_headers_transform", [{ action: "rewrite", expression: onHost, actionParameters: { headers: { "Strict-Transport-Security": { operation: "set", value: "max-age=31536000" } } } }]);
      for (const r of [sslRule, redirectRule, tlsRule, hsts]) expectClean(await analyze(cloudflareEdgeDisallowTlsDowngrade, r));
    });

    it("rejects a header rule removing HSTS or setting max-age=0, a config rule lowering SSL, and a redirect to http:// by expression", async () => {
      const removes = ruleset("http_response_headers_transform", [{ action: "rewrite", expression: onHost, actionParameters: { headers: { "strict-transport-security": { operation: "remove" } } } }]);
      const zeroes = ruleset("http_response_headers_transform", [{ action: "rewrite", expression: onHost, actionParameters: { headers: { "Strict-Transport-Security": { operation: "set", value: "max-age=0; includeSubDomains" } } } }]);
      const flexible = ruleset("http_config_settings", [{ action: "set_config", expression: `${onHost} and http.request.uri.path eq "/api/x"`, actionParameters: { ssl: "flexible" } }]);
      const toHttp = ruleset("http_request_dynamic_redirect", [{ action: "redirect", expression: onHost, actionParameters: { fromValue: { targetUrl: { expression: 'concat("http://", http.host)' } } } }]);
      for (const r of [removes, zeroes, flexible, toHttp]) expectViolation(await analyze(cloudflareEdgeDisallowTlsDowngrade, r), "cloudflare-edge-disallow-tls-downgrade");
    });
  });

  describe("cloudflare-resource-require-stack-zone", () => {
    const config = { zoneId: ZONE, accountId: ACCOUNT };
    const provider: TestResource = { type: "pulumi:providers:cloudflare", name: "botfleet-dev-cloudflare", props: {} };
    it("accepts resources in the stack's zone and account, and the provider", async () => {
      for (const r of [record, sslRule, provider, { type: "cloudflare:index/ruleset:Ruleset", name: "acct", props: { accountId: ACCOUNT, kind: "root", phase: "http_request_firewall_custom" } }]) {
        expectClean(await analyze(cloudflareResourceRequireStackZone, r, config));
      }
    });
    it("rejects a record in another zone and a ruleset in another account", async () => {
      expectViolation(await analyze(cloudflareResourceRequireStackZone, { ...record, props: { ...record.props, zoneId: "0000000000000000000000000000000b" } }, config), "cloudflare-resource-require-stack-zone");
      expectViolation(await analyze(cloudflareResourceRequireStackZone, { type: "cloudflare:index/ruleset:Ruleset", name: "acct", props: { accountId: "f".repeat(32), kind: "root" } }, config), "cloudflare-resource-require-stack-zone");
    });
    it("bypass: a zone id left empty, or a zone-scoped resource without a zone, is not the stack's zone", async () => {
      expectViolation(await analyze(cloudflareResourceRequireStackZone, { ...record, props: { ...record.props, zoneId: "" } }, config), "cloudflare-resource-require-stack-zone");
      expectViolation(await analyze(cloudflareResourceRequireStackZone, { ...record, props: { ...record.props, zoneId: null } }, config), "cloudflare-resource-require-stack-zone");
    });
    it("defers an unknown zone id to `up`", async () => {
      expectDeferredOnly(await analyze(cloudflareResourceRequireStackZone, { ...record, props: { ...record.props, zoneId: UNKNOWN } }, config), "cloudflare-resource-require-stack-zone");
    });
    it("rejects the provider once when the stack's zone is not configured", async () => {
      expectViolation(await analyze(cloudflareResourceRequireStackZone, provider), "cloudflare-resource-require-stack-zone");
      expectClean(await analyze(cloudflareResourceRequireStackZone, record));
    });
  });
});
