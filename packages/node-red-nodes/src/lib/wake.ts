import crypto from 'node:crypto';
import net from 'node:net';
import type { NodeAPI, WakeRequest, WakeResponse } from '../red.js';

// "Wake on webhook": the server calls back when a task ends. The callback is only a wake-up: the task is
// read again from the server, so a forged or replayed POST can at most cause one early read, and a lost or
// refused one costs time (the slow fallback poll), never a result.

export const WAKE_ROUTE = '/f7cloud-assistant/wake';

export interface WakeTarget {
  /** What the server is given as `webhookUri`. */
  uri: string;
  /** Resolves when the server called back. */
  woken: Promise<void>;
  isWoken(): boolean;
  /** Forget the token (the wait is over). */
  dispose(): void;
}

/** Where one config node's callbacks wait: id → token, in memory only (a token dies with its wait). */
export class WakeRegistry {
  private readonly waiting = new Map<string, { token: Buffer; wake: () => void }>();

  /** A fresh unguessable callback for one task under `base` (the callback URL's prefix for this config node). */
  create(base: string): WakeTarget {
    const id = crypto.randomBytes(8).toString('hex');
    const token = crypto.randomBytes(32).toString('base64url');
    let woken = false;
    let wake = (): void => {};
    const promise = new Promise<void>((resolve) => {
      wake = () => {
        woken = true;
        resolve();
      };
    });
    this.waiting.set(id, { token: Buffer.from(token), wake });
    return {
      uri: `${base}/${id}/${token}`,
      woken: promise,
      isWoken: () => woken,
      dispose: () => this.waiting.delete(id),
    };
  }

  /** Wakes the wait of `id` when `token` is its token (compared in constant time); false otherwise. */
  wake(id: string, token: string): boolean {
    const entry = this.waiting.get(id);
    if (!entry) return false;
    const given = Buffer.from(token);
    if (given.length !== entry.token.length || !crypto.timingSafeEqual(given, entry.token)) return false;
    entry.wake();
    return true;
  }

  get size(): number {
    return this.waiting.size;
  }
}

const PRIVATE = new net.BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/**
 * Whether a URL points at a loopback or private address (or a name that is one, like localhost or
 * *.local), which a server with its default settings refuses as a webhook target
 * (`allow_local_remote_servers`) while still accepting the task.
 */
export function isLocalTarget(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  const family = net.isIP(host);
  if (family === 0) return !host.includes('.');
  return PRIVATE.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The one callback route on Node-RED's HTTP node server: POST <httpNodeRoot>/f7cloud-assistant/wake/<config
 * node>/<id>/<token>. Unknown ids and wrong tokens get the same 404 as any other path.
 */
export function registerWakeRoute(RED: NodeAPI, find: (serverId: string) => WakeRegistry | undefined): void {
  if (!RED.httpNode) return;
  const handler = (req: WakeRequest, res: WakeResponse): void => {
    const { server = '', id = '', token = '' } = req.params ?? {};
    const registry = find(server);
    if (registry && registry.wake(id, token)) {
      res.status(204).end();
    } else {
      res.status(404).end();
    }
  };
  RED.httpNode.post(`${WAKE_ROUTE}/:server/:id/:token`, handler);
  // Servers may be configured to call back with another method; the body is never read.
  RED.httpNode.get(`${WAKE_ROUTE}/:server/:id/:token`, handler);
  RED.httpNode.put(`${WAKE_ROUTE}/:server/:id/:token`, handler);
}
