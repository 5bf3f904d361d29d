import type { INodeProperties } from 'n8n-workflow';

// Fields several operations share, so they look and behave the same everywhere.

// Resource locators: pick from the server's list (searchable) or give the ID (typed or mapped). A value
// saved as a plain string by earlier versions is read as the ID (helpers/ids.ts).
const ID_PATTERN = {
  type: 'regex' as const,
  properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'Not a number' },
};

export const taskTypeField: INodeProperties = {
  displayName: 'Task Type',
  name: 'taskType',
  type: 'resourceLocator',
  required: true,
  default: { mode: 'list', value: '' },
  description: 'What the assistant should do',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      typeOptions: { searchListMethod: 'searchTaskTypes', searchable: true },
    },
    { displayName: 'ID', name: 'id', type: 'string', placeholder: 'e.g. core:text2text:summary' },
  ],
};

export const taskIdField: INodeProperties = {
  displayName: 'Task ID',
  name: 'taskId',
  type: 'resourceLocator',
  required: true,
  default: { mode: 'list', value: '' },
  description: 'The task, as returned by "Run" or "Get Many"',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      typeOptions: { searchListMethod: 'searchTasks', searchable: true },
    },
    {
      displayName: 'ID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. 42',
      validation: [ID_PATTERN],
    },
  ],
};

export const outputFileIdField: INodeProperties = {
  displayName: 'Output File ID',
  name: 'fileId',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 1234',
  description: "ID of one of the task's output files (a value from the task's output)",
};

export const fileIdField: INodeProperties = {
  displayName: 'File ID',
  name: 'fileId',
  type: 'resourceLocator',
  required: true,
  default: { mode: 'path', value: '' },
  description: 'The file in your cloud storage, by its path or its ID',
  modes: [
    { displayName: 'By Path', name: 'path', type: 'string', placeholder: 'e.g. Documents/report.pdf' },
    {
      displayName: 'ID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. 1234',
      validation: [ID_PATTERN],
    },
  ],
};

export const sessionIdField: INodeProperties = {
  displayName: 'Session ID',
  name: 'sessionId',
  type: 'resourceLocator',
  required: true,
  default: { mode: 'list', value: '' },
  description: 'The chat session, as returned by "Create Session" or "Send Message"',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      typeOptions: { searchListMethod: 'searchChatSessions', searchable: true },
    },
    {
      displayName: 'ID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. 7',
      validation: [ID_PATTERN],
    },
  ],
};

export const messageIdField: INodeProperties = {
  displayName: 'Message ID',
  name: 'messageId',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 120',
  description: 'ID of the chat message',
};

export function binaryOutputField(description: string): INodeProperties {
  return {
    displayName: 'Put Output File in Field',
    name: 'binaryPropertyName',
    type: 'string',
    required: true,
    default: 'data',
    description,
  };
}

export const binaryInputField: INodeProperties = {
  displayName: 'Input Binary Field',
  name: 'binaryPropertyName',
  type: 'string',
  required: true,
  default: 'data',
  hint: 'The name of the input binary field containing the file to upload',
};

export const simplifyField: INodeProperties = {
  displayName: 'Simplify',
  name: 'simplify',
  type: 'boolean',
  default: true,
  description: 'Whether to return a simplified version of the response instead of the raw data',
};

export const maxRateLimitWaitOption: INodeProperties = {
  displayName: 'Max Rate-Limit Wait (Seconds)',
  name: 'maxRateLimitWait',
  type: 'number',
  typeOptions: { minValue: 0 },
  default: 300,
  description:
    'When the server says "too many requests", how long to wait for it per request before failing the item. Items are never skipped or sent twice.',
};

export const timeoutOption: INodeProperties = {
  displayName: 'Timeout (Seconds)',
  name: 'timeout',
  type: 'number',
  typeOptions: { minValue: 1 },
  default: 600,
  description:
    'How long to wait for the result before failing the item. The work goes on on the server; fetch it later by its ID.',
};
