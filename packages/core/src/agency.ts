// Agency (the context agent): actions the assistant wants to take for the user and that wait for approval.
// The assistant app stores the agent's tool calls (`[{name, args, id, type}]`, LangChain's format) and, when
// it answers them, replaces the name of the tools it knows by a title and adds an icon (ChattyLLMController).
import { printable } from './shape.js';

export interface PendingAction {
  /** What the assistant wants to do, as the server names it ("Send an email", or the tool id). */
  name: string;
  /** The agent's tool id (`send_email`), when known. */
  tool?: string;
  /** With which arguments. */
  arguments: Record<string, unknown>;
  /** The tool call's id. */
  id?: string;
  /** The icon name the assistant's UI shows. */
  icon?: string;
  /** One line for people: `Send an email (to: "bob@example.com", subject: "Hi")`. */
  description: string;
}

/** The titles the assistant app gives the tools it knows (lib/Controller/ChattyLLMController.php). */
export const AGENCY_ACTION_TITLES: Readonly<Record<string, string>> = {
  send_message_to_conversation: 'Send a message to a Talk conversation',
  create_public_conversation: 'Create a conversation',
  send_email: 'Send an email',
  schedule_event: 'Schedule a calendar event',
  add_task: 'Add a calendar task',
  add_card: 'Create a Deck card',
};
const TOOL_BY_TITLE = new Map(Object.entries(AGENCY_ACTION_TITLES).map(([tool, title]) => [title, tool]));

function describe(name: string, args: Record<string, unknown>): string {
  const shown = Object.entries(args).map(
    ([key, value]) =>
      `${key}: ${typeof value === 'string' ? JSON.stringify(printable(value, 80)) : printable(value, 80)}`,
  );
  return shown.length ? `${name} (${shown.join(', ')})` : name;
}

/**
 * The pending actions of a chat answer (`sessionAgencyPendingActions`, or a session's
 * `agency_pending_actions` JSON text) in a readable form; [] when there are none.
 */
export function parsePendingActions(value: unknown): PendingAction[] {
  let list = value;
  if (typeof list === 'string') {
    if (list.trim() === '') return [];
    try {
      list = JSON.parse(list);
    } catch {
      return [];
    }
  }
  if (list && typeof list === 'object' && !Array.isArray(list)) list = Object.values(list);
  if (!Array.isArray(list)) return [];
  const out: PendingAction[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const raw = item as Record<string, unknown>;
    const name = typeof raw.name === 'string' && raw.name ? raw.name : 'Unnamed action';
    const rawArgs = typeof raw.args === 'string' ? safeJson(raw.args) : (raw.args ?? raw.arguments);
    const args =
      rawArgs && typeof rawArgs === 'object' && !Array.isArray(rawArgs)
        ? (rawArgs as Record<string, unknown>)
        : {};
    const tool = Object.hasOwn(AGENCY_ACTION_TITLES, name) ? name : TOOL_BY_TITLE.get(name);
    const title = tool && name === tool ? AGENCY_ACTION_TITLES[tool]! : name;
    out.push({
      name: title,
      ...(tool ? { tool } : {}),
      arguments: args,
      ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
      ...(typeof raw.icon === 'string' ? { icon: raw.icon } : {}),
      description: describe(title, args),
    });
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
