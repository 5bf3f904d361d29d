// The written-out client (src/client-api.ts) and the services behind it must not drift apart: a method a
// service gains or loses without the interface changing fails here.
import { expectTypeOf, test } from 'vitest';
import type { assignmentsService, skillsService } from '../src/assignments.js';
import type { AssignmentsApi, ChatApi, FilesApi, SkillsApi, TasksApi } from '../src/client-api.js';
import type { chatService } from '../src/services/chat.js';
import type { filesService } from '../src/services/files.js';
import type { tasksService } from '../src/services/tasks.js';
import type { AssistantClient, NodeAssistantClient } from '../src/node.js';
import { createClient } from '../src/index.js';

test('every service method is in the written-out client, with a compatible signature', () => {
  expectTypeOf<keyof ReturnType<typeof tasksService>>().toEqualTypeOf<keyof TasksApi>();
  expectTypeOf<keyof ReturnType<typeof filesService>>().toEqualTypeOf<keyof FilesApi>();
  expectTypeOf<keyof ReturnType<typeof chatService>>().toEqualTypeOf<keyof ChatApi>();
  expectTypeOf<keyof ReturnType<typeof assignmentsService>>().toEqualTypeOf<keyof AssignmentsApi>();
  expectTypeOf<keyof ReturnType<typeof skillsService>>().toEqualTypeOf<keyof SkillsApi>();
  expectTypeOf<ReturnType<typeof tasksService>>().toExtend<TasksApi>();
  expectTypeOf<ReturnType<typeof filesService>>().toExtend<FilesApi>();
  expectTypeOf<ReturnType<typeof chatService>>().toExtend<ChatApi>();
  expectTypeOf<ReturnType<typeof createClient>>().toEqualTypeOf<AssistantClient>();
  expectTypeOf<NodeAssistantClient['close']>().toEqualTypeOf<() => void>();
});
