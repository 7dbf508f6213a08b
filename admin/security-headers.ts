import { randomBytes } from "node:crypto";

/**
 * The console's response headers. The CSP allows scripts only from the console itself and the
 * inline scripts React Router writes into each page (hydration data, route modules, scroll
 * restoration), which carry a fresh nonce per response. Inline style *attributes* are allowed
 * (`style-src-attr`): the usage meters set their width that way; `<style>` elements are not.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const newNonce = () => randomBytes(16).toString("base64");

/** Headers on every console response, static files included. */
export function securityHeaders(opts: { nonce: string; https: boolean }): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ["Content-Security-Policy", contentSecurityPolicy(opts.nonce)],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    // Same-origin requests keep their Origin/Referer (the CSRF check needs them); others get nothing.
    ["Referrer-Policy", "same-origin"],
  ];
  // Production means HTTPS at the proxy (Secure cookies already assume it). No includeSubDomains:
  // the console's host may share a parent domain with sites this policy must not bind.
  if (opts.https) headers.push(["Strict-Transport-Security", "max-age=31536000"]);
  return headers;
}
