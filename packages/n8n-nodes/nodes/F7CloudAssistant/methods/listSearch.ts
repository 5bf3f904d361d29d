import { TASK_STATUSES } from '@f7cloud/assistant-client';
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../helpers/errors';
import { taskTypes } from '../helpers/task-types';
import { getClient } from '../transport';

// The "From List" mode of the resource locators: what the server has, searchable by what a user
// remembers (name, ID, custom ID). The server lists everything at once, so the search is ours.

/** Most entries a list shows; the search narrows it down. */
export const LIST_LIMIT = 100;

const matches = (filter: string | undefined, ...texts: (string | number | null | undefined)[]): boolean => {
  const needle = (filter ?? '').trim().toLowerCase();
  return (
    !needle ||
    texts.some((text) =>
      String(text ?? '')
        .toLowerCase()
        .includes(needle),
    )
  );
};

async function listing(
  ctx: ILoadOptionsFunctions,
  what: string,
  load: () => Promise<INodeListSearchItems[]>,
): Promise<INodeListSearchResult> {
  try {
    return { results: (await load()).slice(0, LIST_LIMIT) };
  } catch (error) {
    const nodeError = toNodeError(ctx.getNode(), error, 0);
    throw new NodeOperationError(ctx.getNode(), `Could not load the ${what}: ${nodeError.message}`, {
      description: nodeError.description ?? undefined,
    });
  }
}

export async function searchTaskTypes(
  this: ILoadOptionsFunctions,
  filter?: string,
): Promise<INodeListSearchResult> {
  return await listing(this, 'task types', async () =>
    (await taskTypes(await getClient(this)))
      .filter((type) => matches(filter, type.name, type.id))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((type) => ({ name: type.name, value: type.id, description: type.description })),
  );
}

const statusLabel = new Map(TASK_STATUSES.map((s) => [s.value, s.label]));

export async function searchTasks(
  this: ILoadOptionsFunctions,
  filter?: string,
): Promise<INodeListSearchResult> {
  return await listing(this, 'tasks', async () => {
    const client = await getClient(this);
    const [tasks, types] = await Promise.all([client.tasks.list(), taskTypes(client).catch(() => [])]);
    const typeName = new Map(types.map((t) => [t.id, t.name]));
    return tasks
      .filter((task) => matches(filter, task.id, task.type, typeName.get(task.type), task.customId))
      .sort((a, b) => b.id - a.id)
      .map((task) => ({
        name: `${task.id}: ${typeName.get(task.type) ?? task.type} (${statusLabel.get(task.status) ?? task.status})${task.customId ? ` · ${task.customId}` : ''}`,
        value: String(task.id),
      }));
  });
}

export async function searchChatSessions(
  this: ILoadOptionsFunctions,
  filter?: string,
): Promise<INodeListSearchResult> {
  return await listing(this, 'chat sessions', async () =>
    (await (await getClient(this)).chat.sessions())
      .filter((session) => matches(filter, session.id, session.title))
      .sort((a, b) => b.id - a.id)
      .map((session) => ({
        name: `${session.title || 'Untitled'} (${session.id})`,
        value: String(session.id),
      })),
  );
}
