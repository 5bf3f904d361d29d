// The capabilities answer of a server of the given assistant and Nextcloud versions (null: no assistant app).
import { ocs } from './helpers.js';

export function capabilities(assistant: string | null, nextcloud = '31.0.2') {
  const [major, minor, micro] = nextcloud.split('.').map(Number);
  return ocs({
    version: { major, minor, micro, string: nextcloud, edition: '', extendedSupport: false },
    capabilities: {
      core: { pollinterval: 60 },
      ...(assistant ? { assistant: { version: assistant, enabled: true } } : {}),
    },
  });
}
