/**
 * The central service's URL as the console accepts it. The bearer token travels with every
 * request, so plain http:// is allowed only where it never crosses a network: a service on this
 * computer (localhost, 127.0.0.0/8, ::1). Anything else needs https://.
 */

export type CentralUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Whether `hostname` (as URL parses it: IPv4 normalised, IPv6 in brackets) is this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  // URL has already turned 127.1, 0x7f.0.0.1 and the like into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The URL, normalised (as the console stores and compares it), or why it is refused. */
export function checkCentralUrl(text: string): CentralUrlCheck {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, message: `"${text}" is not a URL.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The central service URL must start with https://.' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'The central service URL must not carry a user name or password; the console signs in with its token.' };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      message: `Plain http:// is allowed only for a central service on this computer (localhost, 127.0.0.1, ::1): the token would cross the network unencrypted. Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
    };
  }
  return { ok: true, url: normalise(url) };
}

/** One spelling per service: no trailing slash, no query or fragment (the client appends its paths). */
function normalise(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** Whether two stored URLs name the same service (an unparseable one never matches). */
export function sameCentralService(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const x = checkCentralUrl(a);
  const y = checkCentralUrl(b);
  if (x.ok && y.ok) return x.url === y.url;
  return false;
}
