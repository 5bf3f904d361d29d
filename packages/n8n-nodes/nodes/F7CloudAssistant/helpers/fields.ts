import type { INodeProperties } from 'n8n-workflow';

// Fields several operations share, so they look and behave the same everywhere.

export const taskIdField: INodeProperties = {
  displayName: 'Task ID',
  name: 'taskId',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 42',
  description: 'ID of the task, as returned by "Run" or "Get Many"',
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
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 1234',
  description: 'ID of the file in your cloud storage',
};

export const sessionIdField: INodeProperties = {
  displayName: 'Session ID',
  name: 'sessionId',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 7',
  description: 'ID of the chat session, as returned by "Create Session" or "Send Message"',
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
