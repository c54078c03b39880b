/**
 * Which edge certificate will serve the API host, decided from config alone. Pure.
 *
 * Cloudflare's Universal SSL certificate on a full-setup zone covers the zone apex and first-level
 * names only (example.com and *.example.com): "Deeper subdomains — such as dev.www.example.com —
 * are not covered and will not serve a valid certificate"
 * (https://developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations/#hostname-coverage).
 * A proxied host two levels down would fail every TLS handshake at the edge, and the HTTPS redirect
 * and HSTS leave clients no fallback. Deeper hosts need an advanced certificate (Advanced
 * Certificate Manager, a paid per-zone add-on) that names them: the program orders one when
 * `botfleet:cloudflareAdvancedCertificate` is true.
 */
export type Coverage =
  | { readonly kind: "universal" }
  | { readonly kind: "advanced" }
  | { readonly kind: "outsideZone"; readonly message: string }
  | { readonly kind: "notCovered"; readonly message: string };

export function certificateCoverage(apiHostname: string, zoneName: string, advancedCertificate: boolean): Coverage {
  if (apiHostname !== zoneName && !apiHostname.endsWith(`.${zoneName}`)) {
    return {
      kind: "outsideZone",
      message: `must be ${zoneName} (botfleet:cloudflareZoneName) or a name inside it: the API host ${apiHostname} would not be in the stack's zone`,
    };
  }
  if (advancedCertificate) return { kind: "advanced" };
  const depth = labelsBelow(apiHostname, zoneName);
  if (depth <= 1) return { kind: "universal" };
  return {
    kind: "notCovered",
    message:
      `puts the API host ${apiHostname} ${depth} levels below the zone ${zoneName}; Cloudflare's Universal SSL covers only ${zoneName} ` +
      `and *.${zoneName}, so clients would get no valid certificate. Use a first-level host (botfleet:domain = ${zoneName}, ` +
      `or a one-label botfleet:apiSubdomain on it), or set botfleet:cloudflareAdvancedCertificate true to order an advanced certificate (paid add-on)`,
  };
}

/** How many labels `host` has in front of `zone` (0 for the apex). */
export function labelsBelow(host: string, zone: string): number {
  if (host === zone) return 0;
  return host.slice(0, -(zone.length + 1)).split(".").length;
}
