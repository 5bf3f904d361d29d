import type { AssistantClient, ChatMessage, ChatSession } from '@f7cloud/assistant-client';
import { AssistantError, MAX_MESSAGE_BYTES } from '@f7cloud/assistant-client';
import type { ChatHistory, ChatMemory, Message } from '@n8n/ai-node-sdk';
import type { INode } from 'n8n-workflow';
import { textOf } from '../F7CloudAssistantChatModel/messages';
import { toNodeError } from '../F7CloudAssistant/helpers/errors';

/** Keys longer than this would make unreadable session titles. */
export const MAX_SESSION_KEY_LENGTH = 200;

/**
 * The session of a key is found by this marker at the end of its title, so any n8n process (after a
 * restart, in queue mode) finds the same session without keeping state of its own.
 */
export function sessionMarker(key: string): string {
  return `[n8n:${key}]`;
}

export type SessionTarget = { key: string; title: string } | { sessionId: number };

function failure(message: string, code: 'not_found' | 'invalid_input' = 'not_found'): AssistantError {
  return new AssistantError({ code, message });
}

function isNotFound(error: unknown): boolean {
  return AssistantError.isInstance(error) && error.code === 'not_found';
}

/** At most `max` bytes of UTF-8, cut at a character boundary. */
function clip(text: string, max: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= max) return text;
  const suffix = ' […]';
  let cut = max - new TextEncoder().encode(suffix).byteLength;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.slice(0, cut)) + suffix;
}

/**
 * Adds one message to a chat session as the given role. Core's `chat.send` adds the user's message and
 * starts a reply; the memory stores both sides of a turn itself, so it adds messages directly.
 */
export async function addSessionMessage(
  client: AssistantClient,
  sessionId: number,
  role: 'human' | 'assistant',
  content: string,
): Promise<void> {
  await client.call('chattyllm-new-message', {
    body: {
      sessionId,
      role,
      content: clip(content, MAX_MESSAGE_BYTES),
      timestamp: Math.floor(Date.now() / 1000),
    },
  });
}

/** The conversation of one assistant chat session, as the AI Agent reads and extends it. */
export class AssistantSession {
  private resolved?: { id: number; title: string };

  constructor(
    private readonly client: AssistantClient,
    private readonly target: SessionTarget,
    /** Errors are reported as this node's (the agent shows them). */
    private readonly owner: { node: INode; itemIndex: number },
  ) {}

  /** The error the user sees: a clear one when the session is gone, else what core says. */
  private failed(error: unknown): Error {
    return toNodeError(this.owner.node, isNotFound(error) ? this.gone() : error, this.owner.itemIndex);
  }

  private describe(): string {
    return 'sessionId' in this.target
      ? `session ${this.target.sessionId}`
      : `the session for key "${this.target.key}"${this.resolved ? ` (session ${this.resolved.id})` : ''}`;
  }

  private async byMarker(key: string): Promise<ChatSession | undefined> {
    const marker = sessionMarker(key);
    const matching = (await this.client.chat.sessions())
      .filter((s) => typeof s.title === 'string' && s.title.endsWith(marker))
      .sort((a, b) => a.id - b.id);
    return matching[0];
  }

  /** The session id, or undefined when the key has no session yet (it is created on the first write). */
  async find(): Promise<number | undefined> {
    if (this.resolved) return this.resolved.id;
    if ('sessionId' in this.target) return this.target.sessionId;
    const found = await this.byMarker(this.target.key);
    if (found) this.resolved = { id: found.id, title: found.title ?? '' };
    return found?.id;
  }

  private async findOrCreate(): Promise<number> {
    const existing = await this.find();
    if (existing !== undefined) return existing;
    const { key, title } = this.target as { key: string; title: string };
    const created = await this.client.chat.createSession({
      title: `${title.trim() ? `${title.trim()} ` : ''}${sessionMarker(key)}`,
    });
    // Two executions may create a session for the same key at once: all of them use the oldest one.
    const oldest = await this.byMarker(key);
    if (oldest && oldest.id !== created.id) {
      await this.client.chat.deleteSession(created.id).catch(() => undefined);
      this.resolved = { id: oldest.id, title: oldest.title ?? '' };
    } else {
      this.resolved = { id: created.id, title: created.title ?? '' };
    }
    return this.resolved.id;
  }

  private gone(): AssistantError {
    return failure(
      'sessionId' in this.target
        ? `The assistant chat session ${this.target.sessionId} does not exist on the server (was it deleted?). Pick an existing session ID, or use a Session Key to let the memory create one.`
        : `The assistant chat ${this.describe()} was deleted on the server while this execution used it, so this turn was not stored. Run the workflow again to start a new conversation for this key.`,
    );
  }

  /** The latest `limit` human and assistant messages (all with no limit), oldest first. */
  async messages(limit?: number): Promise<Message[]> {
    let stored: ChatMessage[];
    try {
      const id = await this.find();
      if (id === undefined) return [];
      // One more than needed: the first page may hold the hidden system message the server keeps.
      stored = await this.client.chat.messages(
        id,
        limit === undefined ? { all: true } : { limit: limit + 1 },
      );
    } catch (error) {
      throw this.failed(error);
    }
    const turns = stored.filter((m) => m.role === 'human' || m.role === 'assistant');
    return (limit === undefined ? turns : turns.slice(-limit)).map((m) => ({
      role: m.role === 'human' ? 'user' : 'assistant',
      content: [{ type: 'text', text: m.content }],
    }));
  }

  /** Stores what the user said and the agent's answers; tool calls and results stay out of the chat. */
  async add(messages: Message[]): Promise<void> {
    const toStore = messages.flatMap((m): { role: 'human' | 'assistant'; text: string }[] => {
      const text = textOf(m);
      if (text.trim() === '') return [];
      if (m.role === 'user') return [{ role: 'human', text }];
      if (m.role === 'assistant' && !m.content.some((c) => c.type === 'tool-call')) {
        return [{ role: 'assistant', text }];
      }
      return [];
    });
    if (toStore.length === 0) return;
    try {
      const id = await this.findOrCreate();
      for (const { role, text } of toStore) await addSessionMessage(this.client, id, role, text);
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Deletes the session; the next turn of the key starts a new one. */
  async clear(): Promise<void> {
    const id = await this.find();
    if (id === undefined) return;
    this.resolved = undefined;
    // Already deleted is what clearing wants.
    await this.client.chat.deleteSession(id).catch((error: unknown) => {
      if (!isNotFound(error)) throw this.failed(error);
    });
  }
}

class SessionHistory implements ChatHistory {
  constructor(private readonly session: AssistantSession) {}
  async getMessages(): Promise<Message[]> {
    return await this.session.messages();
  }
  async addMessage(message: Message): Promise<void> {
    await this.session.add([message]);
  }
  async addMessages(messages: Message[]): Promise<void> {
    await this.session.add(messages);
  }
  async clear(): Promise<void> {
    await this.session.clear();
  }
}

/** The agent's memory: the last `windowLength` exchanges of the session. */
export class AssistantSessionMemory implements ChatMemory {
  readonly chatHistory: ChatHistory;

  constructor(
    private readonly session: AssistantSession,
    private readonly windowLength: number,
  ) {
    this.chatHistory = new SessionHistory(session);
  }

  async loadMessages(): Promise<Message[]> {
    return await this.session.messages(this.windowLength * 2);
  }

  async saveTurn(input: string, output: string): Promise<void> {
    await this.session.add([
      { role: 'user', content: [{ type: 'text', text: input }] },
      { role: 'assistant', content: [{ type: 'text', text: output }] },
    ]);
  }

  async clear(): Promise<void> {
    await this.session.clear();
  }
}

export function checkSessionKey(raw: unknown): string {
  const key = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (key === '') {
    throw failure(
      'The Session Key is empty. With a Chat Trigger the default ({{ $json.sessionId }}) works; otherwise enter an expression or text that names the conversation.',
      'invalid_input',
    );
  }
  if (key.length > MAX_SESSION_KEY_LENGTH) {
    throw failure(
      `The Session Key is ${key.length} characters long; use at most ${MAX_SESSION_KEY_LENGTH} (it becomes part of the session title).`,
      'invalid_input',
    );
  }
  return key;
}
