import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../runtime/routes";
import type { Settings } from "../config";
import { type EdgeRule, firewallRules, type RateLimitRule, rateLimitRules } from "./edgeRules";
import { eq, renderRule } from "./expressions";
import { ZONE_SETTINGS } from "./zoneSettings";

/** Cloudflare Managed Ruleset (the same id in every zone). */
export const CLOUDFLARE_MANAGED_RULESET_ID = "efb7b8c949ac4650a09736fc376e9aee";

export interface EdgeArgs {
  /**
   * Stack settings. Read: `apiHostname`, `cloudflare.zoneId`, `cloudflare.managedWaf`,
   * `cloudflare.edge*RequestsPerMinute`, `originVerifySecret`. TLS settings, the route allow-list,
   * the Telegram source restriction and the origin lock are not optional.
   */
  readonly settings: Settings;
  /** Target of the API Gateway custom domain (d-….execute-api.<region>.amazonaws.com). */
  readonly apiDomainTarget: pulumi.Input<string>;
}

/**
 * The Cloudflare edge in front of the API: proxied api.<domain>, zone TLS settings, WAF custom
 * rules built from the route table, per-IP rate limits, the managed WAF where the plan has it, and
 * the origin lock (a late transform that sets the origin-verify header the functions require).
 *
 * Each ruleset is the zone's entry point for its phase: this program owns those phases in the zone.
 * Every rule is scoped to the API hostname so other names in the zone pass through untouched.
 */
export class Edge extends pulumi.ComponentResource {
  readonly hostname: string;
  readonly nodes: {
    readonly dns: cloudflare.DnsRecord;
    readonly settings: readonly cloudflare.ZoneSetting[];
    readonly firewall: cloudflare.Ruleset;
    readonly rateLimits: cloudflare.Ruleset;
    readonly managedWaf?: cloudflare.Ruleset;
    readonly originLock: cloudflare.Ruleset;
  };

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cloudflare:Edge", name, {}, opts);
    const { settings } = args;
    const zoneId = settings.cloudflare.zoneId;
    const host = settings.apiHostname;

    const dns = this.createApiRecord(name, zoneId, host, args.apiDomainTarget);
    const zoneSettings = this.createZoneSettings(name, zoneId);
    const firewall = this.createRuleset(name, "firewall", zoneId, "http_request_firewall_custom", firewallRules(host).map(toRulesetRule));
    const rateLimits = this.createRuleset(
      name,
      "ratelimit",
      zoneId,
      "http_ratelimit",
      rateLimitRules(host, {
        webhooksPerMinute: settings.cloudflare.edgeWebhookRequestsPerMinute,
        apiPerMinute: settings.cloudflare.edgeApiRequestsPerMinute,
      }).map(toRateLimitRule),
    );
    const managedWaf = settings.cloudflare.managedWaf ? this.createManagedWaf(name, zoneId, host) : undefined;
    const originLock = this.createOriginLock(name, zoneId, host, settings.originVerifySecret);

    this.hostname = host;
    this.nodes = { dns, settings: zoneSettings, firewall, rateLimits, managedWaf, originLock };
    this.registerOutputs({ hostname: host });
  }

  private createApiRecord(name: string, zoneId: string, host: string, target: pulumi.Input<string>) {
    return new cloudflare.DnsRecord(
      `${name}-api`,
      {
        zoneId,
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

  private createZoneSettings(name: string, zoneId: string) {
    return ZONE_SETTINGS.map(
      (setting) => new cloudflare.ZoneSetting(`${name}-${setting.id.replace(/_/g, "-")}`, { zoneId, settingId: setting.id, value: setting.value }, { parent: this }),
    );
  }

  private createRuleset(name: string, suffix: string, zoneId: string, phase: string, rules: cloudflare.types.input.RulesetRule[]) {
    return new cloudflare.Ruleset(
      `${name}-${suffix}`,
      { zoneId, kind: "zone", phase, name: `botfleet ${phase}`, description: "Managed by botfleet (Pulumi): edits elsewhere are overwritten", rules },
      { parent: this },
    );
  }

  private createManagedWaf(name: string, zoneId: string, host: string) {
    return this.createRuleset(name, "managed-waf", zoneId, "http_request_firewall_managed", [
      {
        ref: "cloudflare_managed_ruleset",
        description: "Cloudflare Managed Ruleset",
        action: "execute",
        expression: renderRule("managed ruleset", eq("http.host", host)),
        actionParameters: { id: CLOUDFLARE_MANAGED_RULESET_ID },
        enabled: true,
      },
    ]);
  }

  private createOriginLock(name: string, zoneId: string, host: string, secret: pulumi.Output<string>) {
    return this.createRuleset(name, "origin-lock", zoneId, "http_request_late_transform", [
      {
        ref: "origin_verify_header",
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

function toRulesetRule(rule: EdgeRule): cloudflare.types.input.RulesetRule {
  return { ref: rule.ref, description: rule.description, action: rule.action, expression: renderRule(rule.description, rule.expression), enabled: true };
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
