import net from 'node:net';

/**
 * Whether a peer address belongs to this computer. The server binds 127.0.0.1 only, so this is
 * a second wall: it still holds if the bind address is ever widened or a proxy forwards to it.
 */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  let host = address;
  // IPv4 peers of a dual-stack socket appear as IPv4-mapped IPv6 addresses.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped?.[1]) host = mapped[1];
  if (net.isIPv4(host)) return host.split('.')[0] === '127';
  if (net.isIPv6(host)) return host === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(expandIPv6(host));
  return false;
}

function expandIPv6(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  if (!address.includes('::')) return address;
  const zeros = Array.from({ length: 8 - headParts.length - tailParts.length }, () => '0');
  return [...headParts, ...zeros, ...tailParts].join(':');
}

/**
 * Whether a Host header names this computer, so a page on another site that re-points its own
 * host name at 127.0.0.1 (DNS rebinding) is refused even before the secret is checked.
 */
export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(hostHeader.trim());
  if (!match) return false;
  const name = (match[1] ?? '').toLowerCase();
  const hostPort = match[2] === undefined ? 80 : Number(match[2]);
  if (hostPort !== port) return false;
  if (name === 'localhost') return true;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isLoopbackAddress(bare);
}
