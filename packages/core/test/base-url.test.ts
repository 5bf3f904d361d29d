import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl } from '../src/index.js';

describe('server URL normalisation', () => {
  it.each([
    ['https://cloud.example.com', 'https://cloud.example.com'],
    ['https://cloud.example.com/', 'https://cloud.example.com'],
    ['cloud.example.com', 'https://cloud.example.com'],
    ['https://cloud.example.com/index.php/apps/assistant/', 'https://cloud.example.com'],
    ['https://cloud.example.com/index.php', 'https://cloud.example.com'],
    ['https://example.com/nextcloud/', 'https://example.com/nextcloud'],
    ['https://example.com/nextcloud/index.php/apps/files/?dir=/', 'https://example.com/nextcloud'],
    ['https://example.com/nextcloud/remote.php/dav/files/alice/', 'https://example.com/nextcloud'],
    ['https://cloud.example.com/ocs/v2.php/apps/assistant/api/v1/task-types', 'https://cloud.example.com'],
    ['http://127.0.0.1:8080/apps/assistant', 'http://127.0.0.1:8080'],
    ['  https://CLOUD.example.com:8443/  ', 'https://cloud.example.com:8443'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeBaseUrl(input)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['ftp://cloud.example.com', /must start with https:\/\/ or http:\/\//],
    ['https://exa mple.com', /not a valid address/],
  ])('refuses %j', (input, message) => {
    expect(() => normalizeBaseUrl(input)).toThrow(message);
  });

  it('refuses credentials in the URL without repeating them', () => {
    let message = '';
    try {
      normalizeBaseUrl('https://alice:s3cret-pass@cloud.example.com');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/contains a user name or password/);
    expect(message).not.toContain('s3cret-pass');
  });
});
