// Whether a host name is one a server cannot (or by default will not) call back: loopback, private and
// link-local addresses and names that only resolve locally. A fact about addresses, not about the API, so
// it lives here: core has no such helper (its loopback check for the http warning is internal).

const LOCAL_NAME = /(^|\.)(localhost|local|internal|lan|home\.arpa)$/;

function ipv4Parts(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function isLocalIpv4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168)
  );
}

/**
 * True for loopback (localhost, 127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7),
 * link-local (169.254/16, fe80::/10) and unspecified addresses, and for names without a dot or under
 * .localhost/.local/.internal/.lan/.home.arpa (Docker service names, mDNS): a remote server reaches none of
 * them, and servers refuse such webhook targets unless their admin allows local remote servers.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (!host) return true;
  const v4 = ipv4Parts(host);
  if (v4) return isLocalIpv4(v4);
  if (host.includes(':')) {
    if (host === '::' || host === '::1') return true;
    // IPv4-mapped (URL parsing writes ::ffff:127.0.0.1 as ::ffff:7f00:1)
    const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host);
    if (dotted) return isLocalIpv4(ipv4Parts(dotted[1]!) ?? [0]);
    const hex = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
    if (hex) {
      const high = parseInt(hex[1]!, 16);
      return isLocalIpv4([high >> 8, high & 255]);
    }
    return /^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host);
  }
  return !host.includes('.') || LOCAL_NAME.test(host);
}
