import { and, eq, type Expr, not, oneOf, ssl } from "./expressions";
import { HSTS_MAX_AGE_SECONDS } from "./zoneSettings";

/**
 * TLS for the API host only, as rules scoped to `http.host eq "<host>"`, so sibling names in the
 * zone keep the zone's own settings (SSL mode, HTTPS redirect, HSTS, minimum TLS are zone-wide
 * settings in Cloudflare). Each is a rule in a phase of its own; every phase is one more
 * entry-point ruleset the edge owns in the zone (see entryPoints.ts). Pure data.
 *
 * - SSL Full (strict) per host: a configuration rule (phase http_config_settings, action
 *   set_config, `ssl: "strict"`), all plans
 *   (https://developers.cloudflare.com/rules/configuration-rules/settings/#ssl).
 * - HTTP → HTTPS per host: a single redirect (phase http_request_dynamic_redirect) on requests that
 *   are not `ssl`, to the same host and path with the query string kept, 308 so a webhook's POST
 *   stays a POST (https://developers.cloudflare.com/rules/url-forwarding/single-redirects/ — status
 *   codes 301, 302, 303, 307, 308; dynamic target expressions with concat()).
 * - HSTS per host: a response header transform rule (phase http_response_headers_transform) that
 *   sets Strict-Transport-Security (without includeSubDomains: the edge owns this host only) and
 *   X-Content-Type-Options (https://developers.cloudflare.com/rules/transform/response-header-modification/).
 * - Minimum TLS 1.2 per host: the per-hostname TLS setting (cloudflare.HostnameTlsSetting) needs
 *   Advanced Certificate Manager (writes fail with code 1450 without it;
 *   https://developers.cloudflare.com/ssl/edge-certificates/additional-options/minimum-tls/), so it is
 *   set only with botfleet:cloudflareAdvancedCertificate. On every plan a custom firewall rule blocks
 *   requests to the host whose connection used TLS 1.0 or 1.1 (`cf.tls_version`): the handshake
 *   still completes, but no request over an old protocol reaches the origin.
 */
export const WEAK_TLS_VERSIONS = ["TLSv1", "TLSv1.1"] as const;

export const HSTS_HEADER = "Strict-Transport-Security";
export const HSTS_VALUE = `max-age=${HSTS_MAX_AGE_SECONDS}`;

export interface HostRule {
  readonly ref: string;
  readonly description: string;
  readonly expression: Expr;
}

export const onHost = (host: string): Expr => eq("http.host", host);

/** Custom firewall rule (block): TLS 1.0/1.1 connections to the host. */
export function weakTlsRule(host: string): HostRule {
  return { ref: "block_tls_below_1_2", description: "Block requests to the API host over TLS 1.0 or 1.1", expression: and(onHost(host), oneOf("cf.tls_version", WEAK_TLS_VERSIONS)) };
}

/** Configuration rule (set_config ssl strict) for the host. */
export function sslStrictRule(host: string): HostRule {
  return { ref: "ssl_strict", description: "SSL Full (strict) to the origin for the API host", expression: onHost(host) };
}

/** Single redirect rule: plain HTTP on the host → the same URL over HTTPS. */
export function httpsRedirectRule(host: string): HostRule {
  return { ref: "https_only", description: "Redirect plain HTTP on the API host to HTTPS", expression: and(onHost(host), not(ssl)) };
}

/** Response header transform: HSTS and nosniff on every answer from the host. */
export function hstsRule(host: string): HostRule {
  return { ref: "hsts", description: "HSTS (one year) and nosniff on the API host", expression: onHost(host) };
}

/** The redirect's target: the request's own host and path over https (query string kept by the action). */
export const HTTPS_TARGET_EXPRESSION = 'concat("https://", http.host, http.request.uri.path)';
export const HTTPS_REDIRECT_STATUS = 308;
