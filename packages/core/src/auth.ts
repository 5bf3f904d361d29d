// Credentials: the Authorization header core sends, and every string a credential contributes that must
// never appear in an error (hosts that authenticate themselves pass these as `secrets`).
import { APP_PASSWORD_ADVICE, badInput } from './errors.js';

/** HTTP Basic with the login name and an app password (recommended), or a Bearer token. */
export type Auth = { user: string; appPassword: string } | { token: string };

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Every string the credential contributes that must be scrubbed from errors and logs: the app password or
 * token, the Basic token base64(user:password) and `user:password`. Never throws; empty parts are skipped.
 */
export function credentialSecrets(auth: Auth): string[] {
  if (!auth || typeof auth !== 'object') return [];
  if ('token' in auth) return typeof auth.token === 'string' && auth.token ? [auth.token] : [];
  const { user, appPassword } = auth as { user?: unknown; appPassword?: unknown };
  if (typeof appPassword !== 'string' || !appPassword) return [];
  const pair = `${typeof user === 'string' ? user : ''}:${appPassword}`;
  return [appPassword, pair, base64(pair)];
}

/** The Authorization header for a credential, checked before anything is sent. */
export function authHeader(auth: Auth): string {
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || !auth.token.trim()) {
      throw badInput('The token is empty.', 'Enter the Bearer token, or use a user and app password.');
    }
    return `Bearer ${auth.token}`;
  }
  const { user, appPassword } = auth as { user?: unknown; appPassword?: unknown };
  if (typeof user !== 'string' || !user.trim()) {
    throw badInput('The user is empty.', 'Enter the login name of the account.');
  }
  if (user.includes(':')) {
    throw badInput(
      `The user "${user.slice(0, 80)}" contains ":", which HTTP Basic login cannot carry.`,
      "Use the account's login name.",
    );
  }
  if (typeof appPassword !== 'string' || !appPassword) {
    throw badInput('The app password is empty.', APP_PASSWORD_ADVICE);
  }
  return `Basic ${base64(`${user}:${appPassword}`)}`;
}
