// Type tests: what `client.call` infers for parameters and results.
import { describe, expectTypeOf, it } from 'vitest';
import type { AssistantClient, BinaryResult, Task, TaskType } from '../src/index.js';

declare const client: AssistantClient;

describe('client.call types', () => {
  it('infers OCS data, plain JSON and binary results', async () => {
    const types = await client.call('assistant_api-get-available-task-types');
    expectTypeOf(types.types).toBeArray();
    const session = await client.call('chattyllm-check-session', { query: { sessionId: 1 } });
    expectTypeOf(session.messageTaskId).toEqualTypeOf<number | null>();
    const file = await client.call('assistant_api-display-user-file', { path: { fileId: 1 } });
    expectTypeOf(file).toEqualTypeOf<BinaryResult>();
    const saved = await client.call('assistant_api-save-output-file', { path: { ocpTaskId: 1, fileId: 2 } });
    expectTypeOf(saved).toEqualTypeOf<{ fileId: number; path: string }>();
  });

  it('requires the right parameters', () => {
    // @ts-expect-error: path parameters are required
    void client.call('assistant_api-get-user-file-info');
    // @ts-expect-error: fileId is a number
    void client.call('assistant_api-get-user-file-info', { path: { fileId: 'x' } });
    // @ts-expect-error: unknown operation
    void client.call('no-such-operation');
    // @ts-expect-error: sessionId is required in the query
    void client.call('chattyllm-get-messages', { query: { limit: 1 } });
    // @ts-expect-error: new_message needs a body
    void client.call('chattyllm-new-message', {});
    void client.call('chattyllm-new-message', {
      body: { sessionId: 1, role: 'human', content: 'x', timestamp: 1 },
    });
    void client.call('assistant_api-upload-input-file', {
      body: { data: new Uint8Array(1), filename: 'a.png' },
    });
  });

  it('gives services typed results', async () => {
    expectTypeOf(await client.taskTypes()).toEqualTypeOf<TaskType[]>();
    const task = await client.tasks.run({ type: 'core:text2text', input: { input: 'x' } });
    expectTypeOf(task).toEqualTypeOf<Task>();
    expectTypeOf(task.status).toEqualTypeOf<
      | 'STATUS_UNKNOWN'
      | 'STATUS_SCHEDULED'
      | 'STATUS_RUNNING'
      | 'STATUS_SUCCESSFUL'
      | 'STATUS_FAILED'
      | 'STATUS_CANCELLED'
    >();
    // @ts-expect-error: input values are texts, numbers or lists of them
    void client.tasks.schedule({ type: 'core:text2text', input: { input: { a: 1 } } });
  });

  it('types the operations of newer assistant versions too', async () => {
    const { assignment } = await client.call('assignments_api-create-user-assignment', {
      body: {
        title: 'Digest',
        prompt: 'Summarise my day',
        startsAt: 1_800_000_000,
        recurrence: 'FREQ=DAILY',
      },
    });
    expectTypeOf(assignment.recurrence).toEqualTypeOf<string>();
    const noRecurrence = { title: 'x', prompt: 'y', startsAt: 1 };
    // @ts-expect-error: an assignment needs its recurrence
    void client.call('assignments_api-create-user-assignment', { body: noRecurrence });
    const { skills } = await client.call('agent_skills_api-list-skills');
    expectTypeOf(skills).toEqualTypeOf<{ name: string; description: string }[]>();
    const info = await client.server();
    expectTypeOf(info.features.assignments).toEqualTypeOf<boolean>();
  });
});
