import {
  APP_PASSWORD_ADVICE,
  AssistantError,
  FILE_ACTIONS,
  credentialSecrets,
  insecureHttpWarning,
} from '@f7cloud/assistant-client';
import type { NodeAPI } from '../red.js';
import { describeError, NodeInputError, scrub } from './errors.js';
import type { Translate } from './i18n.js';
import {
  checkSettings,
  createServerClient,
  isServerNode,
  type NodeClient,
  type ServerNode,
  type ServerSettings,
} from './server-client.js';
import { editorFields } from './task-types.js';
import { tlsFromTyped } from './tls.js';

export const ROUTE = '/f7cloud-assistant/task-types';
export const HINTS_ROUTE = '/f7cloud-assistant/config-hints';
export const FILE_ACTIONS_ROUTE = '/f7cloud-assistant/file-actions';

/** What a failed lookup tells the dialog: a headline on what is wrong and core's advice on what to do. */
export interface LookupFailure {
  error: string;
  code: string;
  headline: string;
  hint: string;
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A short headline per kind of failure, so the dialog says what is wrong without repeating the hint. */
function headline(t: Translate, err: unknown, host: string): string {
  const code = AssistantError.isInstance(err) ? err.code : '';
  switch (code) {
    case 'auth':
      return t('f7cloud-server.test.auth');
    case 'app_disabled':
    case 'not_assistant_server':
      return t('f7cloud-server.test.noAssistant', { host });
    case 'network':
      return t('f7cloud-server.test.unreachable', { host });
    case 'timeout':
      return t('f7cloud-server.test.timeout', { host });
    case 'tls':
      return t('f7cloud-server.test.tls', { host });
    default:
      return t('f7cloud-server.test.failed');
  }
}

/** The deployed config node the dialog names, or an error saying which check failed (nothing sent). */
function deployedServer(RED: NodeAPI, t: Translate, id: string): ServerNode {
  if (!id || id === '_ADD_') {
    throw new NodeInputError(t('common.errors.adminNoServer'), 'invalid_config');
  }
  const node = RED.nodes.getNode(id);
  if (!node) throw new NodeInputError(t('common.errors.adminNotDeployed', { id }), 'invalid_config');
  if (!isServerNode(node)) {
    const type = (node as { type?: unknown }).type;
    throw new NodeInputError(
      t('common.errors.adminNotServer', { id, type: typeof type === 'string' ? type : '?' }),
      'invalid_config',
    );
  }
  return node;
}

/**
 * The editor builds its task type dropdown and typed input fields from ROUTE, and the config dialog's
 * "Test connection" uses it. It takes either the credentials typed into the open dialog, or those of a
 * deployed config node (then with that node's own URL, so a typed URL never receives stored credentials).
 */
export function registerAdminEndpoints(RED: NodeAPI, t: Translate): void {
  const admin = RED.httpAdmin;
  if (!admin) return;
  admin.post(ROUTE, RED.auth.needsPermission('f7cloud-server.read'), async (req, res) => {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    let client: NodeClient | undefined;
    let ownClient = false;
    let secrets: string[] = [];
    let host = '';
    try {
      if (field(body, 'appPassword')) {
        const settings: ServerSettings = {
          url: field(body, 'url'),
          user: field(body, 'user'),
          appPassword: field(body, 'appPassword'),
          tls: tlsFromTyped(RED, body),
        };
        secrets = credentialSecrets({ user: settings.user, appPassword: settings.appPassword });
        host = hostOf(settings.url.trim());
        const baseUrl = checkSettings(t, settings, settings.url);
        host = hostOf(baseUrl);
        client = createServerClient(baseUrl, settings, RED.version?.());
        ownClient = true;
      } else {
        const server = deployedServer(RED, t, field(body, 'server'));
        secrets = server.secrets;
        client = server.getClient();
        host = hostOf(client.baseUrl);
      }
      const taskTypes = (await client.taskTypes()).map((type) => ({ ...type, fields: editorFields(type) }));
      res.json({ taskTypes, host });
    } catch (err) {
      const { message, code } = describeError(err, t);
      const hint = AssistantError.isInstance(err) ? (err.hint ?? '') : '';
      const failure: LookupFailure = {
        error: scrub(message, secrets),
        code,
        headline: scrub(headline(t, err, host), secrets),
        hint: scrub(hint, secrets),
      };
      // never 401 here: the editor would take it for its own session expiring
      const beforeSending =
        code === 'invalid_config' ||
        (AssistantError.isInstance(err) && err.code === 'invalid_input' && err.sent === false);
      res.status(beforeSending ? 400 : 502).json(failure);
    } finally {
      if (ownClient && client) client.close();
    }
  });

  // The file dialog's action list: core's file actions with their words, so the editor holds no copy.
  admin.get(FILE_ACTIONS_ROUTE, RED.auth.needsPermission('f7cloud-file.read'), (_req, res) => {
    res.json({
      fileActions: Object.entries(FILE_ACTIONS).map(([id, { label, description }]) => ({
        id,
        label,
        description,
      })),
    });
  });

  // The config dialog shows core's texts: the warning for a Server URL while it is typed, and where an
  // app password comes from (the rule and the wording live in core).
  admin.post(HINTS_ROUTE, RED.auth.needsPermission('f7cloud-server.read'), (req, res) => {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    res.json({
      insecureHttp: insecureHttpWarning(field(body, 'url')) ?? null,
      appPasswordAdvice: APP_PASSWORD_ADVICE,
    });
  });
}
