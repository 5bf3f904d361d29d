// The agent's messages as the inputs of the server's chat task types, and the task's answer back as the
// SDK's message. Formats are those of the upstream providers (integration_openai's TextToTextChat[WithTools]
// Provider → OpenAiAPIService::createChatCompletion): each history entry a JSON string
// {role: "human" | "assistant" | "tool", content, tool_calls?: [{id, name, args}], tool_call_id?}; tools as
// OpenAI function tools; tool_message a JSON list [{tool_call_id, name, content}] answering the last calls;
// the answer's tool_calls a JSON list [{name, id, args}] (OpenAI's own shape is accepted too).
import { AssistantError } from '@f7cloud/assistant-client';
import type { ContentToolCall, Message, Tool } from '@n8n/ai-node-sdk';

export type FunctionTool = Extract<Tool, { type: 'function' }>;
export type JsonSchemaOf = (tool: FunctionTool) => unknown;

interface HistoryEntry {
  role: 'human' | 'assistant' | 'tool';
  content: string;
  tool_calls?: { id: string; name: string; args: unknown; type: 'tool_call' }[];
  tool_call_id?: string;
  name?: string;
}

export interface ChatInput {
  system_prompt: string;
  input: string;
  history: string[];
  tools?: string;
  tool_message?: string;
}

export interface BuildOptions {
  /** The agent bound tools: build the inputs of a chat-with-tools type. */
  tools?: { list: FunctionTool[]; jsonSchema: JsonSchemaOf; toolMessageSlot: boolean };
}

export function textOf(message: Message): string {
  return message.content
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('');
}

function toolCallsOf(message: Message): ContentToolCall[] {
  return message.content.filter((c): c is ContentToolCall => c.type === 'tool-call');
}

function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  // Results with content blocks (text parts) read as their text.
  if (Array.isArray(result) && result.every((r) => r && typeof r === 'object' && 'text' in r)) {
    return result.map((r) => String((r as { text: unknown }).text)).join('');
  }
  return JSON.stringify(result ?? '');
}

function parseArgs(input: string): unknown {
  try {
    const parsed: unknown = JSON.parse(input || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

interface ToolResultEntry {
  tool_call_id: string;
  name?: string;
  content: string;
}

function toolResults(message: Message): ToolResultEntry[] {
  return message.content.flatMap((c) =>
    c.type === 'tool-result'
      ? [
          {
            tool_call_id: c.toolCallId,
            ...(message.name ? { name: message.name } : {}),
            content: resultText(c.result),
          },
        ]
      : [],
  );
}

/** One message as history entries; without tools, calls and results become plain text. */
function historyEntries(message: Message, withTools: boolean): HistoryEntry[] {
  if (message.role === 'user') return [{ role: 'human', content: textOf(message) }];
  if (message.role === 'assistant') {
    const calls = toolCallsOf(message);
    const text = textOf(message);
    if (calls.length === 0) return [{ role: 'assistant', content: text }];
    if (!withTools) {
      const said = calls.map((c) => `Called the tool ${c.toolName} with ${c.input || '{}'}.`).join(' ');
      return [{ role: 'assistant', content: text ? `${text}\n${said}` : said }];
    }
    return [
      {
        role: 'assistant',
        content: text,
        tool_calls: calls.map((c, i) => ({
          id: c.toolCallId ?? `call_${i + 1}`,
          name: c.toolName,
          args: parseArgs(c.input),
          type: 'tool_call',
        })),
      },
    ];
  }
  if (message.role === 'tool') {
    return toolResults(message).map((r) =>
      withTools
        ? { role: 'tool', ...r }
        : { role: 'assistant', content: `The tool ${r.name ?? r.tool_call_id} returned: ${r.content}` },
    );
  }
  return [];
}

function openAiTool(tool: FunctionTool, jsonSchema: JsonSchemaOf): unknown {
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: jsonSchema(tool) ?? { type: 'object', properties: {} },
    },
  };
}

/**
 * The task input for a conversation: system messages become the system prompt, the last user message the
 * input, everything before it the history. When the conversation ends with tool results (the agent ran the
 * calls of the previous answer), those go to tool_message and the input stays empty, as upstream callers do.
 */
export function buildChatInput(messages: Message[], options: BuildOptions = {}): ChatInput {
  const system = messages
    .filter((m) => m.role === 'system')
    .map(textOf)
    .filter(Boolean)
    .join('\n\n');
  const rest = messages.filter((m) => m.role !== 'system');
  const withTools = options.tools !== undefined;

  let end = rest.length;
  while (withTools && end > 0 && rest[end - 1]?.role === 'tool') end--;
  const results = rest.slice(end).flatMap(toolResults);

  let input = '';
  let earlier = rest.slice(0, end);
  const last = earlier[earlier.length - 1];
  if (results.length === 0 && last?.role === 'user') {
    input = textOf(last);
    earlier = earlier.slice(0, -1);
  }
  const history = earlier.flatMap((m) => historyEntries(m, withTools));

  const out: ChatInput = { system_prompt: system, input, history: [] };
  if (options.tools) {
    out.tools = JSON.stringify(options.tools.list.map((t) => openAiTool(t, options.tools!.jsonSchema)));
    if (options.tools.toolMessageSlot) {
      out.tool_message = results.length > 0 ? JSON.stringify(results) : '';
    } else {
      // Servers whose type has no tool_message input read results as trailing `tool` history entries.
      history.push(...results.map((r): HistoryEntry => ({ role: 'tool', ...r })));
    }
  }
  out.history = history.map((entry) => JSON.stringify(entry));
  return out;
}

/** An answer the node cannot read: the server's provider broke the task type's contract. */
function badAnswer(message: string): AssistantError {
  return new AssistantError({ code: 'server', message });
}

/**
 * The calls of a chat-with-tools answer: upstream's [{name, id, args}] or OpenAI's
 * [{id, type: "function", function: {name, arguments}}]; "" or [] means none.
 */
export function parseToolCalls(raw: unknown, fallbackId: (index: number) => string): ContentToolCall[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let list: unknown = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      throw badAnswer(`The server's model answered tool calls that are not JSON: ${raw.slice(0, 200)}`);
    }
  }
  if (!Array.isArray(list)) list = [list];
  return (list as unknown[]).map((entry, index) => {
    const call = (entry ?? {}) as Record<string, unknown>;
    const fn = (call.function ?? {}) as Record<string, unknown>;
    const name = typeof call.name === 'string' ? call.name : typeof fn.name === 'string' ? fn.name : '';
    if (!name) {
      throw badAnswer(
        `The server's model answered a tool call without a tool name: ${JSON.stringify(entry).slice(0, 200)}`,
      );
    }
    const args = call.args ?? call.arguments ?? fn.arguments ?? {};
    return {
      type: 'tool-call',
      toolCallId: typeof call.id === 'string' && call.id ? call.id : fallbackId(index),
      toolName: name,
      input: typeof args === 'string' ? args || '{}' : JSON.stringify(args),
    };
  });
}

/** Servers report no token usage for tasks: about four characters per token, flagged as an estimate. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
