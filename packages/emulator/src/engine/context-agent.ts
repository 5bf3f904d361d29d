import type { Task } from '../state/store.js';
import type { TaskTypeDefinition } from './task-types.js';

// The context agent (nextcloud/context_agent, ex_app/lib/agent.py) as a deterministic provider. Inputs
// `input`, `confirmation` (0/1) and `conversation_token`; outputs `output`, `actions` (JSON of the
// LangChain tool calls waiting for approval, '' when none) and `conversation_token` (the agent's state;
// here base64 JSON of the pending calls). A message asking for a sensitive action ("send an email to …")
// returns the call as an action and does nothing; the next task with confirmation 1 runs it and says so,
// with confirmation 0 drops it and says so.

export const CONTEXT_AGENT_TASK_TYPE = 'core:contextagent:interaction';

const text = (name: string, description: string): { name: string; description: string; type: string } => ({
  name,
  description,
  type: 'Text',
});

export const CONTEXT_AGENT_DEFINITION: TaskTypeDefinition = {
  name: 'Context Agent',
  description: 'Ask a question about your data and let the assistant act for you.',
  inputShape: {
    input: text('Input', 'Ask a question about your data'),
    confirmation: {
      name: 'Confirmation',
      description: 'Whether to confirm previously suggested actions',
      type: 'Number',
    },
    conversation_token: text('Conversation token', 'A token that allows restoring the conversation'),
  },
  inputShapeEnumValues: {},
  inputShapeDefaults: {},
  optionalInputShape: {},
  optionalInputShapeEnumValues: {},
  optionalInputShapeDefaults: {},
  outputShape: {
    output: text('Generated response', 'The response from the AI'),
    conversation_token: text('Conversation token', 'A token that allows restoring the conversation'),
    actions: text(
      'Requested actions by the agent',
      'Actions that the agent would like to carry out in JSON format',
    ),
  },
  outputShapeEnumValues: {},
  optionalOutputShape: {},
  optionalOutputShapeEnumValues: {},
  assistantName: 'Context Agent',
  assistantDescription: 'Ask a question about your data and let the assistant act for you.',
  priority: 12,
};

interface ToolCall {
  name: string;
  args: Record<string, string>;
  id: string;
  type: 'tool_call';
}

/** Sensitive tools of the real agent, recognised in a message by what it asks for. */
const SENSITIVE: {
  name: string;
  match: RegExp;
  args: (m: RegExpExecArray) => Record<string, string>;
  done: (a: Record<string, string>) => string;
}[] = [
  {
    name: 'send_email',
    match:
      /\b(?:send|write)\s+(?:an?\s+)?e-?mail\s+to\s+(\S+?@\S+?)[.,;]?(?:\s+(?:saying|with|about|that)\s+(.+))?$/i,
    args: (m) => ({
      recipient: m[1] as string,
      subject: 'Message from the assistant',
      body: (m[2] ?? '').trim(),
    }),
    done: (a) => `I sent the email to ${a.recipient}.`,
  },
  {
    name: 'send_message_to_conversation',
    match:
      /\bsend\s+(?:a\s+)?message\s+to\s+(?:the\s+)?(?:conversation\s+)?["“]?([^"”]+?)["”]?(?:\s+(?:saying|that)\s+(.+))?$/i,
    args: (m) => ({ conversation_name: (m[1] as string).trim(), message: (m[2] ?? '').trim() }),
    done: (a) => `I sent the message to the conversation "${a.conversation_name}".`,
  },
  {
    name: 'schedule_event',
    match: /\bschedule\s+(?:an?\s+)?(?:event|meeting)\s+(.+)$/i,
    args: (m) => ({ title: (m[1] as string).trim() }),
    done: (a) => `I scheduled the event "${a.title}".`,
  },
];

const describe = (c: ToolCall): string =>
  `${c.name.replaceAll('_', ' ')} (${Object.entries(c.args)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')})`;

function readToken(token: unknown): { pending: ToolCall[]; turns: number } {
  if (typeof token !== 'string' || token === '' || token === '{}') return { pending: [], turns: 0 };
  try {
    const state = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      pending?: ToolCall[];
      turns?: number;
    };
    return { pending: state.pending ?? [], turns: state.turns ?? 0 };
  } catch {
    return { pending: [], turns: 0 };
  }
}

const writeToken = (pending: ToolCall[], turns: number): string =>
  Buffer.from(JSON.stringify({ pending, turns })).toString('base64');

export function contextAgentProvider(task: Task): Record<string, unknown> {
  const input = String(task.input.input ?? '').trim();
  const state = readToken(task.input.conversation_token);
  const turns = state.turns + 1;
  if (state.pending.length) {
    const approved = Number(task.input.confirmation) === 1;
    const output = approved
      ? state.pending
          .map((c) => SENSITIVE.find((s) => s.name === c.name)?.done(c.args) ?? `I ran ${describe(c)}.`)
          .join(' ')
      : `OK, I did not ${state.pending.map(describe).join(' nor ')}, as you declined.`;
    return { output, actions: '', conversation_token: writeToken([], turns) };
  }
  for (const s of SENSITIVE) {
    const m = s.match.exec(input);
    if (!m) continue;
    const call: ToolCall = {
      name: s.name,
      args: s.args(m),
      id: `call_${task.id}_${turns}`,
      type: 'tool_call',
    };
    return {
      output: `I would like to ${describe(call)}. Please approve or reject this action.`,
      actions: JSON.stringify([call]),
      conversation_token: writeToken([call], turns),
    };
  }
  return { output: `You said: ${input}`, actions: '', conversation_token: writeToken([], turns) };
}

/** How the assistant shows each action (ChattyLLMController::improveAgencyActionNames). */
const ACTION_DATA: Record<string, { title: string; icon: string }> = {
  send_message_to_conversation: { title: 'Send a message to a Talk conversation', icon: 'Send' },
  create_public_conversation: { title: 'Create a conversation', icon: 'ChatPlus' },
  send_email: { title: 'Send an email', icon: 'EmailPlus' },
  schedule_event: { title: 'Schedule a calendar event', icon: 'CalendarPlus' },
  add_task: { title: 'Add a calendar task', icon: 'CalendarCheck' },
  add_card: { title: 'Create a Deck card', icon: 'CardPlus' },
};

/** The session's stored actions (a JSON string or null) as the chat routes return them. */
export function pendingActionsJson(stored: string | null): Record<string, unknown>[] | null {
  if (stored === null) return null;
  const actions = JSON.parse(stored) as Record<string, unknown>[];
  return actions.map((a) => {
    const data = typeof a.name === 'string' ? ACTION_DATA[a.name] : undefined;
    return data ? { ...a, icon: data.icon, name: data.title } : a;
  });
}
