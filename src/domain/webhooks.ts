/**
 * Webhook receiver URLs and secrets: what a watch may point at (docs/EVENTS.md, "Webhooks").
 * Pure: the URL is judged by its text; names are not resolved (a DNS name that resolves to a
 * private address is only refused when WEBHOOK_ALLOWED_HOSTS is set and does not list it).
 */

export const MAX_URL_LENGTH = 2000;
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 256;

export interface UrlPolicy {
  /** Host patterns allowed (exact host, or `*.example.com` for subdomains); empty list: every host allowed. */
  allowedHosts: readonly string[];
  /** Whether loopback, private and link-local literal hosts (and `localhost`) are allowed without being listed. */
  allowPrivate: boolean;
}

/** Whether a host (lower case, IPv6 without brackets) is loopback, private, link-local or unspecified. */
export function isPrivateHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '0.0.0.0' || h === '::' || h === '::1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (h.includes(':')) return h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80') || h.startsWith('::ffff:');
  return false;
}

function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase().trim();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

/** The problem with a receiver URL, or null when it may be used. */
export function urlProblem(url: string, policy: UrlPolicy): string | null {
  if (url.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must use http or https (got ${parsed.protocol.replace(/:$/, '')})`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials (use the watch secret to authenticate deliveries)';
  if (parsed.hash !== '') return 'must not have a fragment';
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const listed = policy.allowedHosts.some((p) => hostMatches(host, p));
  if (policy.allowedHosts.length > 0 && !listed) return `host ${host} is not in WEBHOOK_ALLOWED_HOSTS`;
  if (!listed && !policy.allowPrivate && isPrivateHost(host))
    return `host ${host} is loopback or private, which this server does not deliver to (list it in WEBHOOK_ALLOWED_HOSTS)`;
  return null;
}

/** The problem with a watch secret, or null. */
export function secretProblem(secret: string): string | null {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) return `must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters`;
  return null;
}
