// Where real servers differ from openapi/upstream/assistant-3.5.0-openapi.json (a verbatim copy), in the
// format of corrections.mjs; `since` names operations that servers had before the version of this spec.
import { json, pendingActions } from './corrections.mjs';

const chat = '/paths/~1ocs~1v2.php~1apps~1assistant~1chat~1';

/** The same facts as for the 2.13 spec, where the newer spec repeats the same mistake. */
export const sharedCorrections = [
  {
    pointer: '/components/schemas/ChatAgencyMessage/allOf/1/properties/sessionAgencyPendingActions',
    why: 'pending agency actions are an array or null, not an object',
    value: pendingActions,
  },
  {
    pointer: '/components/schemas/ChatSessionCheck/properties/sessionAgencyPendingActions',
    why: 'pending agency actions are an array or null, not an object',
    value: pendingActions,
  },
  ...['sessions~1{sessionId}/put', 'sessions~1{sessionId}/delete'].map((route) => ({
    pointer: `${chat}${route}/responses/200/content`,
    why: 'an empty answer is an empty PHP array, `[]`, as on the legacy update_session / delete_session routes',
    value: json({ oneOf: [{ type: 'object' }, { type: 'array', maxItems: 0 }] }),
  })),
];

/** @type {{ pointer: string, value: unknown, why: string }[]} */
export const corrections = sharedCorrections;

/** @type {Record<string, { version: string, why: string }>} */
export const since = Object.fromEntries(
  [
    'chattyllm-new-session-restful',
    'chattyllm-update-chat-session-restful',
    'chattyllm-delete-session-restful',
  ].map((id) => [
    id,
    { version: '3.3', why: 'docs/api-behaviour.md: RESTful chat sessions since assistant 3.3' },
  ]),
);
