import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../runtime/routes";
import type { Settings } from "../config";
import { type EdgeRule, firewallRules, type RateLimitRule, rateLimitRules } from "./edgeRules";
import { guardEntryPoints, OWN_REF_PREFIX, rulesetName } from "./entryPoints";
import { eq, renderRule } from "./expressions";
import { type HostRule, HSTS_HEADER, HSTS_VALUE, hstsRule, HTTPS_REDIRECT_STATUS, HTTPS_TARGET_EXPRESSION, httpsRedirectRule, sslStrictRule, weakTlsRule } from "./hostTls";
import { ZONE_SETTINGS } from "./zoneSettings";

/** Cloudflare Managed Ruleset (the same id in every zone). */
export const CLOUDFLARE_MANAGED_RULESET_ID = "efb7b8c949ac4650a09736fc376e9aee";

export interface EdgeArgs {
  /**
   * Stack settings. Read: `apiHostname`, `cloudflare.*` (zone, account, certificate, zone-wide
   * opt-in, adoption of foreign rules, managed WAF, rate limits), `originVerifySecret`. The host's
   * TLS rules, the route allow-list, the Telegram source restriction and the origin lock are not optional.
   */
  readonly settings: Settings;
  /** Target of the API Gateway custom domain (d-….execute-api.<region>.amazonaws.com). */
  readonly apiDomainTarget: pulumi.Input<string>;
}

/** The zone phases the edge writes, by the suffix of its ruleset's resource name. */
export const EDGE_PHASES = {
  firewall: "http_request_firewall_custom",
  ratelimit: "http_ratelimit",
  "managed-waf": "http_request_firewall_managed",
  "origin-lock": "http_request_late_transform",
  "ssl-config": "http_config_settings",
  "https-redirect": "http_request_dynamic_redirect",
  "response-headers": "http_response_headers_transform",
} as const;
type RulesetSuffix = keyof typeof EDGE_PHASES;

/**
 * The Cloudflare edge in front of the API, owning only its hostname: proxied api.<domain>; SSL
 * Full (strict), HTTPS only, TLS ≥ 1.2 and HSTS as rules scoped to that host (hostTls.ts); WAF
 * custom rules built from the route table; per-IP rate limits; the managed WAF where the plan has
 * it; and the origin lock (a late transform that sets the origin-verify header the functions
 * require). Zone-wide TLS settings only when the stack opts in (botfleet:cloudflareZoneWideTls);
 * an advanced certificate for the host when it opts in to that (botfleet:cloudflareAdvancedCertificate).
 *
 * Each ruleset is the zone's entry point for its phase. Before any is written, the zone's existing
 * entry points are read and rules botfleet did not write are refused (entryPoints.ts).
 */
export class Edge extends pulumi.ComponentResource {
  readonly hostname: string;
  readonly nodes: {
    readonly dns: cloudflare.DnsRecord;
    readonly certificate?: cloudflare.CertificatePack;
    readonly hostMinTls?: cloudflare.HostnameTlsSetting;
    readonly zoneSettings: readonly cloudflare.ZoneSetting[];
    readonly rulesets: Readonly<Partial<Record<RulesetSuffix, cloudflare.Ruleset>>>;
  };
  /**
   * Resolves once the zone's entry points allow the edge to write; rejects with every problem
   * otherwise (in `pulumi preview`/`up` the program then fails with that message before any rule is written).
   */
  readonly ready: pulumi.Output<true>;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cloudflare:Edge", name, {}, opts);
    const { settings } = args;
    const cf = settings.cloudflare;
    const zoneId = cf.zoneId;
    const host = settings.apiHostname;

    const suffixes = (Object.keys(EDGE_PHASES) as RulesetSuffix[]).filter((s) => s !== "managed-waf" || cf.managedWaf);
    this.ready = guardEntryPoints(
      {
        zoneId,
        zoneName: cf.zoneName,
        accountId: cf.accountId,
        phases: Object.fromEntries(suffixes.map((s) => [EDGE_PHASES[s], `${name}-${s}`])),
        adoptForeignRules: cf.adoptForeignRules,
      },
      { parent: this },
    );

    const dns = this.createApiRecord(name, zoneId, host, args.apiDomainTarget);
    const certificate = cf.advancedCertificate ? this.createCertificate(name, zoneId, cf.zoneName, host) : undefined;
    const hostMinTls = cf.advancedCertificate
      ? new cloudflare.HostnameTlsSetting(`${name}-min-tls`, { zoneId: this.afterGuard(zoneId), hostname: host, settingId: "min_tls_version", value: "1.2" }, { parent: this, dependsOn: certificate ? [certificate] : [] })
      : undefined;
    const zoneSettings = cf.zoneWideTls ? this.createZoneSettings(name, zoneId) : [];

    const rulesets: Partial<Record<RulesetSuffix, cloudflare.Ruleset>> = {
      firewall: this.createRuleset(name, "firewall", zoneId, [weakTlsRule(host), ...firewallRules(host)].map(toRulesetRule)),
      ratelimit: this.createRuleset(
        name,
        "ratelimit",
        zoneId,
        rateLimitRules(host, { webhooksPerMinute: cf.edgeWebhookRequestsPerMinute, apiPerMinute: cf.edgeApiRequestsPerMinute }).map(toRateLimitRule),
      ),
      "ssl-config": this.createRuleset(name, "ssl-config", zoneId, [{ ...ownRule(sslStrictRule(host)), action: "set_config", actionParameters: { ssl: "strict" } }]),
      "https-redirect": this.createRuleset(name, "https-redirect", zoneId, [
        {
          ...ownRule(httpsRedirectRule(host)),
          action: "redirect",
          actionParameters: { fromValue: { statusCode: HTTPS_REDIRECT_STATUS, preserveQueryString: true, targetUrl: { expression: HTTPS_TARGET_EXPRESSION } } },
        },
      ]),
      "response-headers": this.createRuleset(name, "response-headers", zoneId, [
        {
          ...ownRule(hstsRule(host)),
          action: "rewrite",
          actionParameters: { headers: { [HSTS_HEADER]: { operation: "set", value: HSTS_VALUE }, "X-Content-Type-Options": { operation: "set", value: "nosniff" } } },
        },
      ]),
      "origin-lock": this.createOriginLock(name, zoneId, host, settings.originVerifySecret),
    };
    if (cf.managedWaf) rulesets["managed-waf"] = this.createManagedWaf(name, zoneId, host);

    this.hostname = host;
    this.nodes = { dns, certificate, hostMinTls, zoneSettings, rulesets };
    this.registerOutputs({ hostname: host });
  }

  /**
   * The zone id, resolved only once the zone's entry points allow the edge to write (guardEntryPoints):
   * every resource the edge writes into the zone takes it, so a refused deploy writes nothing.
   */
  private afterGuard(zoneId: string): pulumi.Output<string> {
    return this.ready.apply(() => zoneId);
  }

  private createApiRecord(name: string, zoneId: string, host: string, target: pulumi.Input<string>) {
    return new cloudflare.DnsRecord(
      `${name}-api`,
      {
        zoneId: this.afterGuard(zoneId),
        name: host,
        type: "CNAME",
        content: target,
        // Proxied, so every request passes the rules below; TTL 1 = automatic (required when proxied).
        proxied: true,
        ttl: 1,
        comment: "botfleet API (API Gateway custom domain) behind the Cloudflare edge",
      },
      { parent: this },
    );
  }

  /**
   * An advanced certificate for the zone apex (Cloudflare requires it in every pack: "Must contain
   * the zone apex", provider schema) and the API host. TXT validation: on a zone whose DNS is on
   * Cloudflare, Cloudflare adds the validation records itself
   * (https://developers.cloudflare.com/ssl/edge-certificates/changing-dcv-method/methods/txt/).
   * Needs Advanced Certificate Manager on the zone (a paid add-on).
   */
  private createCertificate(name: string, zoneId: string, zoneName: string, host: string) {
    return new cloudflare.CertificatePack(
      `${name}-certificate`,
      { zoneId: this.afterGuard(zoneId), type: "advanced", hosts: host === zoneName ? [zoneName] : [zoneName, host], certificateAuthority: "google", validationMethod: "txt", validityDays: 90, cloudflareBranding: false },
      { parent: this },
    );
  }

  private createZoneSettings(name: string, zoneId: string) {
    return ZONE_SETTINGS.map(
      (setting) => new cloudflare.ZoneSetting(`${name}-${setting.id.replace(/_/g, "-")}`, { zoneId: this.afterGuard(zoneId), settingId: setting.id, value: setting.value }, { parent: this }),
    );
  }

  private createRuleset(name: string, suffix: RulesetSuffix, zoneId: string, rules: cloudflare.types.input.RulesetRule[]) {
    const phase = EDGE_PHASES[suffix];
    return new cloudflare.Ruleset(
      `${name}-${suffix}`,
      { zoneId: this.afterGuard(zoneId), kind: "zone", phase, name: rulesetName(phase), description: "Managed by botfleet (Pulumi): edits elsewhere are overwritten", rules },
      { parent: this },
    );
  }

  private createManagedWaf(name: string, zoneId: string, host: string) {
    return this.createRuleset(name, "managed-waf", zoneId, [
      {
        ref: `${OWN_REF_PREFIX}cloudflare_managed_ruleset`,
        description: "Cloudflare Managed Ruleset",
        action: "execute",
        expression: renderRule("managed ruleset", eq("http.host", host)),
        actionParameters: { id: CLOUDFLARE_MANAGED_RULESET_ID },
        enabled: true,
      },
    ]);
  }

  private createOriginLock(name: string, zoneId: string, host: string, secret: pulumi.Output<string>) {
    return this.createRuleset(name, "origin-lock", zoneId, [
      {
        ref: `${OWN_REF_PREFIX}origin_verify_header`,
        description: `Set ${ORIGIN_VERIFY_HEADER} so the origin accepts only requests that came through this zone`,
        action: "rewrite",
        expression: renderRule("origin lock", eq("http.host", host)),
        // "set" replaces any value a client sent; the value stays a Pulumi secret in state.
        actionParameters: { headers: { [ORIGIN_VERIFY_HEADER]: { operation: "set", value: pulumi.secret(secret) } } },
        enabled: true,
      },
    ]);
  }
}

function ownRule(rule: HostRule): { ref: string; description: string; expression: string; enabled: true } {
  return { ref: `${OWN_REF_PREFIX}${rule.ref}`, description: rule.description, expression: renderRule(rule.description, rule.expression), enabled: true };
}

function toRulesetRule(rule: EdgeRule | HostRule): cloudflare.types.input.RulesetRule {
  return { ...ownRule(rule), action: "block" };
}

function toRateLimitRule(rule: RateLimitRule): cloudflare.types.input.RulesetRule {
  return {
    ...toRulesetRule(rule),
    ratelimit: {
      characteristics: [...rule.characteristics],
      period: rule.period,
      requestsPerPeriod: rule.requestsPerPeriod,
      mitigationTimeout: rule.mitigationTimeout,
    },
  };
}
