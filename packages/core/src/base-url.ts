import { badInput, type AssistantError } from './errors.js';

// Users paste whatever their browser shows: the server root, a sub-path install, or a deep link into the
// web UI, WebDAV or OCS. Everything from the first of these markers on is dropped.
const DEEP_LINK =
  /\/(index\.php|remote\.php|ocs\/v[12]\.php|public\.php|status\.php|apps\/|settings\/|s\/)(\/|$|\?)?/;

/** Turns what a user typed into the server's root URL (no trailing slash), or explains what is wrong. */
export function normalizeBaseUrl(input: string): string {
  const raw = typeof input === 'string' ? input.trim() : '';
  if (!raw) {
    throw invalid(
      'The server URL is empty.',
      'Enter the address of your f7cloud server, e.g. https://cloud.example.com.',
    );
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(
      `The server URL "${printable(raw)}" is not a valid address.`,
      'Enter it like https://cloud.example.com.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(
      `The server URL must start with https:// or http://, not ${url.protocol}//.`,
      'Enter it like https://cloud.example.com.',
    );
  }
  if (url.username || url.password) {
    // Never echo the URL here: it holds a secret.
    throw invalid(
      'The server URL contains a user name or password.',
      'Remove them from the URL and enter the user and app password in their own fields.',
    );
  }
  let path = url.pathname;
  const deep = DEEP_LINK.exec(path);
  if (deep) path = path.slice(0, deep.index);
  path = path.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

function invalid(summary: string, hint: string): AssistantError {
  return badInput(summary, hint);
}

function printable(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
