// What a user reads in both editors: one spelling of the product and of each field, so a flow or workflow
// moved between n8n and Node-RED uses the same words. Hosts whose UI needs literal strings (n8n's linted
// descriptions, Node-RED's locale files) keep copies that a test compares with these.

/** The product's name as users read it, in every label, title and message. */
export const PRODUCT_NAME = 'f7cloud Assistant';

/** Field labels shared by both hosts (n8n's Title Case is the common form). */
export const FIELD_LABELS = {
  serverUrl: 'Server URL',
  user: 'User',
  appPassword: 'App Password',
  taskType: 'Task Type',
  taskId: 'Task ID',
  fileId: 'File ID',
  filePath: 'File Path',
  sessionId: 'Session ID',
  messageId: 'Message ID',
  customId: 'Custom ID',
  appId: 'App ID',
} as const;

export type FieldName = keyof typeof FIELD_LABELS;
