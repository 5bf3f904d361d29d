// Warnings a host shows the user once: nothing failed, but something puts the account at risk.

export interface AssistantWarning {
  /** insecure_http: credentials over plain http://; ignored_option: an option this server does not take was left out. */
  code: 'insecure_http' | 'ignored_option';
  message: string;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The warning for credentials sent over plain http:// to a host that is not loopback (localhost,
 * 127.0.0.0/8, ::1), or undefined when the address is fine (https, loopback, or not a URL at all).
 */
export function insecureHttpWarning(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(typeof baseUrl === 'string' ? baseUrl.trim() : '');
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || isLoopback(url.hostname)) return undefined;
  return `The app password is sent over plain http:// to ${url.host}: anyone on the network path can read it. Use https:// for this server.`;
}
