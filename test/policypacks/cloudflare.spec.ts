import { cloudflareZoneRequireTlsSettings } from "../../policypacks/security/cloudflare/zone/requireTlsSettings";
import { cloudflareZoneSettingRequireAlwaysHttps } from "../../policypacks/security/cloudflare/zoneSetting/requireAlwaysHttps";
import { cloudflareZoneSettingRequireMinTls12 } from "../../policypacks/security/cloudflare/zoneSetting/requireMinTls12";
import { cloudflareZoneSettingRequireSslStrict } from "../../policypacks/security/cloudflare/zoneSetting/requireSslStrict";
import { analyze, analyzeStack, expectClean, expectViolation, type TestResource } from "./harness";

const ZONE = "0000000000000000000000000000000a";
const TYPE = "cloudflare:index/zoneSetting:ZoneSetting";
const setting = (settingId: string, value: unknown): TestResource => ({ type: TYPE, name: settingId, props: { zoneId: ZONE, settingId, value } });
const cases = [
  { policy: cloudflareZoneSettingRequireMinTls12, good: setting("min_tls_version", "1.2"), bad: setting("min_tls_version", "1.0") },
  { policy: cloudflareZoneSettingRequireSslStrict, good: setting("ssl", "strict"), bad: setting("ssl", "flexible") },
  { policy: cloudflareZoneSettingRequireAlwaysHttps, good: setting("always_use_https", "on"), bad: setting("always_use_https", "off") },
];
const record: TestResource = { type: "cloudflare:index/dnsRecord:DnsRecord", name: "api", props: { zoneId: ZONE, name: "api", type: "CNAME", proxied: true } };

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

  it("accepts a zone whose stack manages all three TLS settings", async () => {
    expectClean(await analyzeStack(cloudflareZoneRequireTlsSettings, [record, ...cases.map((c) => c.good)]));
  });

  it("rejects a zone the stack serves from without an always_use_https setting", async () => {
    const found = await analyzeStack(cloudflareZoneRequireTlsSettings, [record, cases[0]!.good, cases[1]!.good]);
    expectViolation(found, "cloudflare-zone-require-tls-settings");
  });
});
