import type { Handler } from '../app.js';
import { json, ocs } from '../http/reply.js';

import { RELEASES } from '../profile.js';
import type { App } from '../app.js';

function version(app: App): Record<string, unknown> {
  const [major = 0, minor = 0, micro = 0] = app.profile.nextcloud.split('.').map(Number);
  return { major, minor, micro, string: app.profile.nextcloud, edition: '', extendedSupport: false };
}

/** Server routes outside the assistant spec that clients use: capabilities, status, app passwords, notifications. */
export const serverCore: Record<string, Handler> = {
  'core-capabilities': (_ctx, app) =>
    ocs(200, {
      version: version(app),
      capabilities: {
        core: { pollinterval: 60, 'webdav-root': 'remote.php/webdav' },
        assistant: { version: RELEASES[app.profile.assistant].assistant, enabled: true },
        notifications: { 'ocs-endpoints': ['list', 'get', 'delete', 'delete-all'] },
      },
    }),

  'core-status': (_ctx, app) =>
    json(200, {
      installed: true,
      maintenance: false,
      needsDbUpgrade: false,
      version: `${app.profile.nextcloud}.1`,
      versionstring: app.profile.nextcloud,
      edition: '',
      productname: 'f7cloud assistant emulator',
      extendedSupport: false,
    }),

  'core-getapppassword': (ctx, app) => {
    const u = app.users.get(ctx.user as string);
    // an app password cannot mint another one (403 on real servers)
    if (!u || ctx.authKind !== 'basic' || !ctx.usedLoginPassword) return ocs(403, []);
    return ocs(200, { apppassword: u.appPassword });
  },

  // the public link of a shared output file (`<base>/s/<token>`), no login needed
  'public-share': (ctx, app) => {
    const share = app.state.shareTokens.get(ctx.pathParams.token ?? '');
    const file = share ? app.files.get(share.fileId) : undefined;
    if (!file)
      return {
        kind: 'body',
        status: 404,
        contentType: 'text/html; charset=UTF-8',
        body: '<!DOCTYPE html><title>Share not found</title>',
      };
    return {
      kind: 'stream',
      status: 200,
      contentType: file.mime,
      size: file.size,
      open: () => app.files.open(file),
      headers: { 'Content-Disposition': `attachment; filename="${share!.taskId}-${file.id}"` },
    };
  },

  'core-notifications-list': (ctx, app) =>
    ocs(
      200,
      app.state.notifications.filter((n) => n.user === ctx.user),
    ),
};
