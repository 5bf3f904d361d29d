import fs from 'node:fs';
import path from 'node:path';
import { APP_PASSWORD_ADVICE, normalizeBaseUrl } from '@f7cloud/assistant-client';
import { createNodeClient } from '@f7cloud/assistant-client/node';

import type { AssistantWarning } from '@f7cloud/assistant-client';
import type { Node } from '../red.js';
import { NodeInputError } from './errors.js';
import type { Translate } from './i18n.js';
import type { WakeTarget } from './wake.js';

export type NodeClient = ReturnType<typeof createNodeClient>;

export interface TlsSettings {
  rejectUnauthorized: boolean;
  /** PEM of a private CA to trust. */
  ca?: string;
}

export interface ServerSettings {
  url: string;
  user: string;
  appPassword: string;
  tls: TlsSettings;
  /** Schedule calls the server allows per 120 s, when its administrator changed Nextcloud's 20. */
  scheduleLimit?: number;
}

/** The f7cloud-server config node as the other nodes and the admin endpoints use it. */
export interface ServerNode extends Node<ServerCredentials> {
  /** Every form of the credential that must never leave in an error, status or log line. */
  secrets: string[];
  /** The node's one client, created on first use; throws a readable error when the config is incomplete. */
  getClient(): NodeClient;
  /**
   * A per-task callback for "wake on webhook" waits, on Node-RED's HTTP node server; throws a readable
   * error (nothing sent) when the node has no callback URL or Node-RED serves no HTTP nodes.
   */
  wakeTarget(): WakeTarget;
  /** Keeps what the client learned about the server's timing in context (call after a wait). */
  rememberTiming(): void;
}

export interface ServerCredentials {
  user?: string;
  appPassword?: string;
}

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

/**
 * Checks what the user typed into the config node before anything is sent, and returns the server's
 * root URL as core normalises it (core explains a URL it cannot use).
 * `name` is how the config node is called in the message (its name or URL).
 */
export function checkSettings(t: Translate, settings: ServerSettings, name: string): string {
  const problem = !settings.url.trim()
    ? 'noUrl'
    : !settings.user
      ? 'noUser'
      : !settings.appPassword
        ? 'noAppPassword'
        : undefined;
  if (problem) {
    throw new NodeInputError(
      t(`common.errors.${problem}`, { name, advice: APP_PASSWORD_ADVICE }),
      'invalid_config',
    );
  }
  return normalizeBaseUrl(settings.url);
}

/**
 * One core client for one config node (node:http transport, timeouts, TLS). `onWarning` is called at
 * most once, e.g. when the app password would go over plain http:// to a host that is not loopback.
 */
export function createServerClient(
  baseUrl: string,
  settings: ServerSettings,
  runtimeVersion: string | undefined,
  onWarning?: (warning: AssistantWarning) => void,
  timing?: unknown,
): NodeClient {
  const ca = (settings.tls.ca ?? '').trim();
  return createNodeClient({
    baseUrl,
    auth: { user: settings.user, appPassword: settings.appPassword },
    tls: { rejectUnauthorized: settings.tls.rejectUnauthorized, ...(ca ? { ca } : {}) },
    userAgent: `${pkg.name}/${pkg.version} Node-RED/${runtimeVersion || 'unknown'}`,
    ...(onWarning ? { onWarning } : {}),
    ...(timing ? { timing } : {}),
    ...(settings.scheduleLimit ? { scheduleLimit: settings.scheduleLimit } : {}),
  });
}

/** Whether a value from RED.nodes.getNode is a deployed f7cloud-server config node. */
export function isServerNode(value: unknown): value is ServerNode {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'f7cloud-server' &&
    typeof (value as { getClient?: unknown }).getClient === 'function'
  );
}
