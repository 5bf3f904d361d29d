import type { AssistantClient, TaskType } from '@f7cloud/assistant-client';
import { AssistantError } from '@f7cloud/assistant-client';

const cache = new WeakMap<AssistantClient, Promise<TaskType[]>>();

/** Task types, fetched once per client (one client lives for one node execution). */
export async function taskTypes(client: AssistantClient): Promise<TaskType[]> {
  let pending = cache.get(client);
  if (!pending) {
    pending = client.taskTypes();
    cache.set(client, pending);
    pending.catch(() => cache.delete(client));
  }
  return await pending;
}

export async function findTaskType(client: AssistantClient, id: string): Promise<TaskType> {
  const types = await taskTypes(client);
  const found = types.find((t) => t.id === id);
  if (!found) {
    const known = types
      .slice(0, 12)
      .map((t) => t.id)
      .join(', ');
    throw new AssistantError({
      code: 'invalid_input',
      message: `The server has no task type "${id}". Pick one from the list; available: ${known}${types.length > 12 ? ', …' : ''}.`,
    });
  }
  return found;
}
