import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../types';
import * as checkSession from './checkSession.operation';
import * as confirmActions from './confirmActions.operation';
import * as createSession from './createSession.operation';
import * as deleteMessage from './deleteMessage.operation';
import * as deleteSession from './deleteSession.operation';
import * as generateTitle from './generateTitle.operation';
import * as getMessage from './getMessage.operation';
import * as getMessages from './getMessages.operation';
import * as getSessions from './getSessions.operation';
import * as regenerate from './regenerate.operation';
import * as renameSession from './renameSession.operation';
import * as sendMessage from './sendMessage.operation';

export const chatOperations: Record<string, OperationModule> = {
  createSession,
  getSessions,
  renameSession,
  deleteSession,
  sendMessage,
  getMessages,
  getMessage,
  deleteMessage,
  regenerate,
  generateTitle,
  checkSession,
  confirmActions,
};

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['chat'] } },
    options: [
      {
        name: 'Approve or Reject Pending Actions',
        value: 'confirmActions',
        action: 'Approve or reject pending actions',
        description: 'Decide on the actions the assistant asked approval for, and get its reply',
      },
      {
        name: 'Check Session',
        value: 'checkSession',
        action: 'Check a chat session',
        description: 'See which replies or titles a session is still waiting for',
      },
      {
        name: 'Create Session',
        value: 'createSession',
        action: 'Create a chat session',
        description: 'Start a new conversation',
      },
      {
        name: 'Delete Message',
        value: 'deleteMessage',
        action: 'Delete a chat message',
        description: 'Delete one message of a session',
      },
      {
        name: 'Delete Session',
        value: 'deleteSession',
        action: 'Delete a chat session',
        description: 'Delete a conversation with all its messages',
      },
      {
        name: 'Generate Title',
        value: 'generateTitle',
        action: 'Generate a title for a chat session',
        description: 'Let the assistant name the conversation',
      },
      {
        name: 'Get Message',
        value: 'getMessage',
        action: 'Get a chat message',
        description: 'Get one message of a session',
      },
      {
        name: 'Get Messages',
        value: 'getMessages',
        action: 'Get chat messages',
        description: 'Get the messages of a session, oldest first',
      },
      {
        name: 'Get Sessions',
        value: 'getSessions',
        action: 'Get chat sessions',
        description: 'List your conversations, newest first',
      },
      {
        name: 'Regenerate',
        value: 'regenerate',
        action: 'Regenerate a reply',
        description: 'Replace an answer of the assistant with a new one',
      },
      {
        name: 'Rename Session',
        value: 'renameSession',
        action: 'Rename a chat session',
        description: 'Change the title of a conversation',
      },
      {
        name: 'Send Message',
        value: 'sendMessage',
        action: 'Send a chat message',
        description: 'Send a message and get the reply; starts a session when none is given',
      },
    ],
    default: 'sendMessage',
  },
  ...createSession.description,
  ...getSessions.description,
  ...renameSession.description,
  ...deleteSession.description,
  ...sendMessage.description,
  ...getMessages.description,
  ...getMessage.description,
  ...deleteMessage.description,
  ...regenerate.description,
  ...generateTitle.description,
  ...checkSession.description,
  ...confirmActions.description,
];
