// `core:text2text:chatwithtools` (Nextcloud 31+) as upstream declares it, with a deterministic provider that
// behaves like a tool-calling model. Formats are those of the upstream provider (integration_openai's
// TextToTextChatWithToolsProvider → OpenAiAPIService::createChatCompletion):
// - `tools`: a JSON list of tools in OpenAI's function format ({type: "function", function: {name, …}});
// - `history`: JSON strings of earlier messages ({role: "human" | "assistant" | "tool", content, tool_calls?,
//   tool_call_id?}; assistant tool_calls as [{id, name, args}]);
// - `tool_message`: a JSON list of results answering the previous round's calls ({tool_call_id, content,
//   name?}); servers without it get the results as trailing `tool` entries of the history;
// - output `tool_calls`: a JSON list [{name, id, args}] (the provider reshapes OpenAI's calls like this), or
//   "" when the model answers in text; `output` is the text ("" next to tool calls).
import type { Task } from '../state/store.js';
import type { TaskTypeDefinition } from './task-types.js';

export const CHAT_WITH_TOOLS_TASK_TYPE = 'core:text2text:chatwithtools';

export const CHAT_WITH_TOOLS_DEFINITION: TaskTypeDefinition = {
  name: 'Chat with tools',
  description: 'Chat with the language model with tool calling support.',
  inputShape: {
    system_prompt: {
      name: 'System prompt',
      description: 'Define rules and assumptions that the assistant should follow during the conversation.',
      type: 'Text',
    },
    input: {
      name: 'Chat message',
      description: 'Describe a task that you want the assistant to do or ask a question',
      type: 'Text',
    },
    tool_message: {
      name: 'Tool message',
      description: 'The result of tool calls in the last interaction',
      type: 'Text',
    },
    history: {
      name: 'Chat history',
      description:
        'The history of chat messages before the current message, starting with a message by the user',
      type: 'ListOfTexts',
    },
    tools: {
      name: 'Available tools',
      description: 'The available tools in JSON format',
      type: 'Text',
    },
  },
  inputShapeEnumValues: {},
  inputShapeDefaults: {},
  // What integration_openai's provider offers.
  optionalInputShape: {
    max_tokens: {
      name: 'Maximum output words',
      description: 'The maximum number of words/tokens that can be generated in the completion.',
      type: 'Number',
    },
  },
  optionalInputShapeEnumValues: {},
  optionalInputShapeDefaults: {},
  outputShape: {
    output: { name: 'Generated response', description: 'The response from the chat model', type: 'Text' },
    tool_calls: {
      name: 'Tool calls',
      description: 'Tools call instructions from the model in JSON format',
      type: 'Text',
    },
  },
  outputShapeEnumValues: {},
  optionalOutputShape: {},
  optionalOutputShapeEnumValues: {},
  // The assistant app hides this type from its own task list (it is not useful to run by hand).
  assistantName: 'Chat with tools',
  assistantDescription: 'Chat with the language model with tool calling support.',
  priority: 10,
};

interface ToolSpec {
  name: string;
  properties: Record<string, { type?: unknown }>;
  required: string[];
}
interface HistoryEntry {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
  name?: unknown;
}
interface ToolResult {
  toolCallId: string;
  name?: string;
  content: string;
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Like upstream: a provider error fails the task with this message. */
function parseTools(raw: unknown): ToolSpec[] {
  let list: unknown;
  try {
    list = JSON.parse(str(raw));
  } catch {
    throw new Error('Invalid JSON tools');
  }
  if (!Array.isArray(list)) throw new Error('Invalid JSON tools');
  return list.flatMap((entry) => {
    const fn = record(record(entry).function);
    const name = str(fn.name);
    if (!name) return [];
    const parameters = record(fn.parameters);
    return [
      {
        name,
        properties: record(parameters.properties) as ToolSpec['properties'],
        required: Array.isArray(parameters.required) ? parameters.required.map(str) : [],
      },
    ];
  });
}

function parseHistory(raw: unknown): HistoryEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    try {
      return record(JSON.parse(str(entry))) as HistoryEntry;
    } catch {
      return {};
    }
  });
}

/** The results answering the last round of calls: `tool_message`, else trailing `tool` history entries. */
function toolResults(toolMessage: unknown, history: HistoryEntry[]): ToolResult[] {
  const text = str(toolMessage);
  if (text !== '') {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      throw new Error('Invalid JSON tool_message');
    }
    return (Array.isArray(list) ? list : [list]).map((m) => {
      const msg = record(m);
      return {
        toolCallId: str(msg.tool_call_id),
        content: str(msg.content),
        ...(msg.name ? { name: str(msg.name) } : {}),
      };
    });
  }
  const trailing: ToolResult[] = [];
  for (let i = history.length - 1; i >= 0 && history[i]?.role === 'tool'; i--) {
    const msg = history[i] as HistoryEntry;
    trailing.unshift({
      toolCallId: str(msg.tool_call_id),
      content: str(msg.content),
      ...(msg.name ? { name: str(msg.name) } : {}),
    });
  }
  return trailing;
}

/** The name of the tool a call id belongs to, from the assistant's calls in the history. */
function callName(history: HistoryEntry[], id: string): string | undefined {
  for (const entry of history) {
    if (!Array.isArray(entry.tool_calls)) continue;
    for (const call of entry.tool_calls) {
      const c = record(call);
      if (str(c.id) === id) return str(c.name) || str(record(c.function).name) || undefined;
    }
  }
  return undefined;
}

/** Scalars of a JSON result, so `[{"response":"89"}]` reads as `89`; other text as it is. */
function resultValue(content: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return content;
  }
  const leaves: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (v !== null && v !== undefined && v !== '') leaves.push(String(v));
  };
  walk(parsed);
  return leaves.length > 0 ? leaves.join(', ') : content;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first tool the message names (by its name, or with `_`/`-` read as spaces). */
function namedTool(input: string, tools: ToolSpec[]): ToolSpec | undefined {
  const text = input.toLowerCase();
  let best: { tool: ToolSpec; at: number } | undefined;
  for (const tool of tools) {
    const spellings = [tool.name.toLowerCase(), tool.name.toLowerCase().replace(/[_-]+/g, ' ')];
    for (const spelling of spellings) {
      const at = text.search(new RegExp(`(^|[^a-z0-9])${escapeRe(spelling)}($|[^a-z0-9])`));
      if (at >= 0 && (!best || at < best.at)) best = { tool, at };
    }
  }
  return best?.tool;
}

function coerce(value: string, type: unknown): unknown {
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && !isNaN(Number(value))) {
    return Number(value);
  }
  if (type === 'boolean') return /^(true|yes|1)$/i.test(value);
  return value;
}

/**
 * Arguments from the message: `name: value` / `name=value` (quoted or one word) for each parameter;
 * otherwise the quoted part of the message (or the whole message) for the first required parameter.
 */
function argumentsFor(tool: ToolSpec, input: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(tool.properties)) {
    const match = new RegExp(
      `(?:^|[^a-z0-9_])${escapeRe(key)}\\s*[:=]\\s*(?:"([^"]*)"|'([^']*)'|(\\S+))`,
      'i',
    ).exec(input);
    if (match)
      args[key] = coerce(match[1] ?? match[2] ?? (match[3] ?? '').replace(/[.,;!?]+$/, ''), schema.type);
  }
  const keys = Object.keys(tool.properties);
  if (Object.keys(args).length === 0 && keys.length > 0) {
    const key = tool.required.find((k) => keys.includes(k)) ?? (keys[0] as string);
    const quoted = /"([^"]+)"|“([^”]+)”|`([^`]+)`|'([^']+)'/.exec(input);
    const value = quoted ? (quoted[1] ?? quoted[2] ?? quoted[3] ?? quoted[4] ?? '') : input;
    args[key] = coerce(value, tool.properties[key]?.type);
  }
  return args;
}

function limitWords(text: string, maxTokens: unknown): string {
  const limit = Number(maxTokens);
  if (!Number.isInteger(limit) || limit <= 0) return text;
  const words = text.split(/\s+/).filter(Boolean);
  return words.length <= limit ? text : words.slice(0, limit).join(' ');
}

export function chatWithToolsProvider(task: Task): { output: string; tool_calls: string } {
  const input = str(task.input.input);
  const tools = parseTools(task.input.tools);
  const history = parseHistory(task.input.history);
  const results = toolResults(task.input.tool_message, history);

  if (results.length > 0) {
    const answer = results
      .map((r) => {
        const name = r.name ?? callName(history, r.toolCallId) ?? 'tool';
        return `The ${name} tool returned ${resultValue(r.content)}.`;
      })
      .join(' ');
    return { output: limitWords(answer, task.input.max_tokens), tool_calls: '' };
  }

  const tool = input === '' ? undefined : namedTool(input, tools);
  if (tool) {
    const call = { name: tool.name, id: `call_${task.id}_1`, args: argumentsFor(tool, input) };
    return { output: '', tool_calls: JSON.stringify([call]) };
  }

  const earlier = history.filter((h) => h.role === 'human' || h.role === 'assistant').length;
  const parts = [input === '' ? 'How can I help?' : `You said: ${input}`];
  if (earlier > 0) parts.push(`(I remember ${earlier} earlier messages.)`);
  if (tools.length > 0) parts.push(`Name a tool to use it: ${tools.map((t) => t.name).join(', ')}.`);
  return { output: limitWords(parts.join(' '), task.input.max_tokens), tool_calls: '' };
}
