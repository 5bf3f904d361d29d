// Where real servers differ from openapi/upstream/assistant-4.0.0-openapi.json (a verbatim copy), in the
// format of corrections.mjs. The 3.5 facts hold here too.
import { sharedCorrections } from './corrections-3.5.mjs';

/** @type {{ pointer: string, value: unknown, why: string }[]} */
export const corrections = [...sharedCorrections];

/** @type {Record<string, { version: string, why: string }>} */
export const since = {};
