import type { NodeAPI, NodeDef } from '../red.js';
import type { TlsSettings } from './server-client.js';

/** Node-RED's own tls-config node (@node-red/nodes core/network/05-tls.js). */
interface TlsConfigNode {
  type: 'tls-config';
  addTLSOptions(options: Record<string, unknown>): Record<string, unknown>;
}

function isTlsConfigNode(value: unknown): value is TlsConfigNode {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'tls-config' &&
    typeof (value as { addTLSOptions?: unknown }).addTLSOptions === 'function'
  );
}

export interface ResolvedTls {
  tls: TlsSettings;
  /** Settings of the tls-config node the client cannot apply (client certificates, server name). */
  ignored: string[];
  /** The tls-config node named by the config is not deployed. */
  missing: boolean;
}

function pem(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** The options of a deployed tls-config node, as core's client takes them. */
function fromTlsNode(node: TlsConfigNode): ResolvedTls {
  const options = node.addTLSOptions({});
  const ca = pem(options.ca);
  const ignored = ['cert', 'key', 'passphrase', 'servername', 'ALPNProtocols'].filter(
    (k) => options[k] !== undefined,
  );
  return {
    // an unticked "Verify server certificate" is false; anything else keeps verification on
    tls: { rejectUnauthorized: options.rejectUnauthorized !== false, ...(ca ? { ca } : {}) },
    ignored,
    missing: false,
  };
}

/**
 * The TLS settings of a config node: its tls-config node when one is chosen, else the fields flows saved
 * before the tls-config node was used (`rejectUnauthorized`, `ca`), which keep working as they were.
 */
export function tlsFromConfig(RED: Pick<NodeAPI, 'nodes'>, config: NodeDef): ResolvedTls {
  const id = typeof config.tls === 'string' ? config.tls : '';
  if (id) {
    const node = RED.nodes.getNode(id);
    if (isTlsConfigNode(node)) return fromTlsNode(node);
    return { tls: { rejectUnauthorized: true }, ignored: [], missing: true };
  }
  return { tls: legacyTls(config), ignored: [], missing: false };
}

function legacyTls(fields: Record<string, unknown>): TlsSettings {
  const ca = typeof fields.ca === 'string' ? fields.ca.trim() : '';
  return { rejectUnauthorized: fields.rejectUnauthorized !== false, ...(ca ? { ca } : {}) };
}

/**
 * TLS for the settings typed into an open config dialog: a deployed tls-config node by its id, else what
 * the dialog sent of an undeployed one (`verifyservercert`, a pasted `cadata`), else the old fields.
 */
export function tlsFromTyped(RED: Pick<NodeAPI, 'nodes'>, body: Record<string, unknown>): TlsSettings {
  const id = typeof body.tls === 'string' ? body.tls : '';
  if (id) {
    const node = RED.nodes.getNode(id);
    if (isTlsConfigNode(node)) return fromTlsNode(node).tls;
    const typed =
      body.tlsTyped && typeof body.tlsTyped === 'object' ? (body.tlsTyped as Record<string, unknown>) : {};
    const ca = typeof typed.ca === 'string' ? typed.ca.trim() : '';
    return { rejectUnauthorized: typed.rejectUnauthorized !== false, ...(ca ? { ca } : {}) };
  }
  return legacyTls(body);
}
