import type { AssistantClient, TaskInputValue, TaskType } from '@f7cloud/assistant-client';
import { AssistantError, normalizeTaskType } from '@f7cloud/assistant-client';
import type {
  ChatModel,
  ChatModelConfig,
  GenerateResult,
  Message,
  MessageContent,
  StreamChunk,
  Tool,
} from '@n8n/ai-node-sdk';
import type { INode } from 'n8n-workflow';
import { toNodeError } from '../F7CloudAssistant/helpers/errors';
import {
  buildChatInput,
  estimateTokens,
  parseToolCalls,
  type FunctionTool,
  type JsonSchemaOf,
} from './messages';

export const CHAT_TASK_TYPE = 'core:text2text:chat';
export const CHAT_WITH_TOOLS_TASK_TYPE = 'core:text2text:chatwithtools';

/**
 * The task types the server can run, from TaskProcessing (the assistant's own list hides the chat types).
 * Core has no helper for this route yet, so it is read here through core's typed `call`.
 */
export async function serverTaskTypes(client: AssistantClient): Promise<Map<string, TaskType>> {
  const data = (await client.call('task_processing_api-task-types')) as { types?: unknown };
  const types = data?.types && typeof data.types === 'object' ? (data.types as Record<string, unknown>) : {};
  return new Map(
    Object.entries(types).map(([id, raw]) => [
      id,
      normalizeTaskType({ ...(raw as Record<string, unknown>), id }),
    ]),
  );
}

export interface AssistantChatModelOptions {
  client: AssistantClient;
  /** Task type for turns without tools (system prompt, input, history). */
  chatTaskType: string;
  /** Task type for turns with tools bound (adds tools and tool_message, answers tool_calls). */
  toolsTaskType: string;
  /** Optional inputs of the task types the user set, by input name; each is sent to the types that list it. */
  optionalInputs: Record<string, string | number>;
  timeoutMs: number;
  /** The execution's cancel signal. */
  signal?: AbortSignal;
  /** JSON Schema of a tool's parameters (the SDK's converter, which also reads Zod schemas). */
  jsonSchema: JsonSchemaOf;
  /** Errors are reported as this node's (the agent shows them). */
  node: INode;
  itemIndex: number;
}

/** Lookups shared by a model and its copies with tools bound (one per agent run). */
interface Shared {
  types?: Promise<Map<string, TaskType>>;
}

function invalid(message: string): AssistantError {
  return new AssistantError({ code: 'invalid_input', message });
}

/**
 * A chat model that thinks with the user's own server: every turn is one TaskProcessing task, waited for
 * with core's adaptive wait (and its rate-limit gate), cancelled with the execution.
 */
export class AssistantChatModel implements ChatModel {
  readonly provider = 'f7cloud-assistant';
  readonly modelId: string;

  constructor(
    private readonly options: AssistantChatModelOptions,
    private readonly tools: Tool[] = [],
    private readonly shared: Shared = {},
  ) {
    this.modelId = tools.length > 0 ? options.toolsTaskType : options.chatTaskType;
  }

  withTools(tools: Tool[]): AssistantChatModel {
    return new AssistantChatModel(this.options, [...this.tools, ...tools], this.shared);
  }

  private async taskType(id: string, withTools: boolean): Promise<TaskType> {
    // A failed lookup is not kept: the next turn asks again.
    this.shared.types ??= serverTaskTypes(this.options.client).catch(async (error: unknown) => {
      this.shared.types = undefined;
      return await Promise.reject(error);
    });
    const types = await this.shared.types;
    const type = types.get(id);
    if (type) return type;
    const chatLike = [...types.values()].filter((t) => 'history' in t.inputShape).map((t) => t.id);
    throw invalid(
      withTools
        ? `The server has no "${id}" task type, which the agent needs to call tools (chat with tools: Nextcloud 31 or newer with a provider such as the OpenAI and LocalAI integration). ` +
            `Pick another "Task Type With Tools"${chatLike.length ? ` (the server offers ${chatLike.join(', ')})` : ''}, or remove the tools from the agent. Nothing was sent.`
        : `The server has no "${id}" task type. Pick another "Chat Task Type"${chatLike.length ? ` (the server offers ${chatLike.join(', ')})` : ''}, or ask the server's administrator to enable a chat provider. Nothing was sent.`,
    );
  }

  /** The user's optional inputs this type lists, typed as the type declares them. */
  private optionalInputsFor(type: TaskType, other: TaskType | undefined): Record<string, TaskInputValue> {
    const out: Record<string, TaskInputValue> = {};
    for (const [name, value] of Object.entries(this.options.optionalInputs)) {
      const slot = type.optionalInputShape[name];
      if (!slot) {
        if (other?.optionalInputShape[name]) continue; // meant for the other task type
        const offered = Object.keys(type.optionalInputShape);
        throw invalid(
          `The task type "${type.id}" has no optional input "${name}"${offered.length ? ` (it offers ${offered.join(', ')})` : ' (it offers none)'}. Remove it under Options. Nothing was sent.`,
        );
      }
      if (slot.type === 'Number') {
        const number = typeof value === 'number' ? value : Number(String(value).trim());
        if (String(value).trim() === '' || !Number.isFinite(number)) {
          throw invalid(
            `The optional input "${name}" must be a number, got "${String(value)}". Nothing was sent.`,
          );
        }
        out[name] = number;
      } else if (slot.type === 'Text' || slot.type === 'Enum') {
        out[name] = String(value);
      } else {
        throw invalid(
          `The optional input "${name}" is of type ${slot.type}, which this node cannot send. Remove it under Options. Nothing was sent.`,
        );
      }
    }
    return out;
  }

  async generate(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult> {
    try {
      return await this.generateTurn(messages, config);
    } catch (error) {
      throw toNodeError(this.options.node, error, this.options.itemIndex);
    }
  }

  private async generateTurn(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult> {
    const functionTools = this.tools.filter((t): t is FunctionTool => t.type === 'function');
    const withTools = functionTools.length > 0;
    const { chatTaskType, toolsTaskType } = this.options;
    const type = await this.taskType(withTools ? toolsTaskType : chatTaskType, withTools);
    // The other type is only consulted for optional inputs meant for it; a missing one is not an error here.
    const otherId = withTools ? chatTaskType : toolsTaskType;
    const other = (await this.shared.types)?.get(otherId);

    const input = buildChatInput(messages, {
      ...(withTools
        ? {
            tools: {
              list: functionTools,
              jsonSchema: this.options.jsonSchema,
              toolMessageSlot: 'tool_message' in type.inputShape || 'tool_message' in type.optionalInputShape,
            },
          }
        : {}),
    });
    const request = { ...this.optionalInputsFor(type, other), ...input };

    // LangChain hands the run's signal in as `signal`; the SDK names it `abortSignal`.
    const callSignal = config?.abortSignal ?? (config as { signal?: AbortSignal } | undefined)?.signal;
    const signal = anySignal([callSignal, this.options.signal]);
    const { client } = this.options;
    const scheduled = await client.tasks.schedule(
      { type: type.id, input: request },
      signal ? { signal } : {},
    );
    const task = await client.tasks
      .wait(scheduled.id, { timeoutMs: this.options.timeoutMs, ...(signal ? { signal } : {}) })
      .catch(async (error: unknown) => {
        // A cancelled execution no longer wants the answer: free the server's worker (best effort).
        if (signal?.aborted) await client.tasks.cancel(scheduled.id).catch(() => undefined);
        return await Promise.reject(error);
      });

    const output = task.output ?? {};
    const text = typeof output.output === 'string' ? output.output : '';
    const calls = withTools ? parseToolCalls(output.tool_calls, (i) => `call_${task.id}_${i + 1}`) : [];
    const content: MessageContent[] = [];
    if (text !== '' || calls.length === 0) content.push({ type: 'text', text });
    content.push(...calls);

    const promptTokens = estimateTokens(JSON.stringify(request));
    const completionTokens = estimateTokens(text + (calls.length ? JSON.stringify(output.tool_calls) : ''));
    return {
      id: String(task.id),
      finishReason: calls.length > 0 ? 'tool-calls' : 'stop',
      // The server reports no token counts for tasks: these are estimates (about 4 characters a token).
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        additionalMetadata: { estimated: true },
      },
      message: { role: 'assistant', content },
      providerMetadata: { taskId: task.id, taskType: type.id, tokenUsageEstimated: true },
    };
  }

  /**
   * Servers before Nextcloud 35 do not stream: the whole answer arrives as one chunk per part. A streaming
   * variant can schedule with preferStreaming and read the partial output while the task runs.
   */
  async *stream(messages: Message[], config?: ChatModelConfig): AsyncIterable<StreamChunk> {
    const result = await this.generate(messages, config);
    for (const part of result.message.content) {
      if (part.type === 'text' && part.text !== '') yield { type: 'text-delta', delta: part.text };
      if (part.type === 'tool-call') {
        yield {
          type: 'tool-call-delta',
          ...(part.toolCallId ? { id: part.toolCallId } : {}),
          name: part.toolName,
          argumentsDelta: part.input,
        };
      }
    }
    yield {
      type: 'finish',
      finishReason: result.finishReason ?? 'stop',
      ...(result.usage ? { usage: result.usage } : {}),
    };
  }
}

/** Aborts when any of the signals does. */
function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  const controller = new AbortController();
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}
