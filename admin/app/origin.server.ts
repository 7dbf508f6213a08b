/**
 * CSRF defence for every mutation: the page that sent it must be ours. Browsers always send
 * Origin on POST (Referer is the fallback for old ones); a request carrying neither, or
 * `Origin: null`, is refused.
 *
 * X-Forwarded-Host is honoured so the check still holds behind a reverse proxy that rewrites
 * Host. A cross-site page cannot forge it: a form cannot set headers, and fetch() with a custom
 * header needs a CORS preflight this server never approves.
 */
export function isSameOrigin(header: (name: string) => string | null | undefined): boolean {
  const host = (header("x-forwarded-host")?.split(",")[0] ?? header("host"))?.trim().toLowerCase();
  const source = header("origin") ?? header("referer");
  if (!host || !source || source === "null") return false;
  try {
    return new URL(source).host.toLowerCase() === host;
  } catch {
    return false;
  }
}

/** Methods that must not change anything; every other method is checked as a mutation. */
export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
