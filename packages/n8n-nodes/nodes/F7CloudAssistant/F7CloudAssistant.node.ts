import type {
  IExecuteFunctions,
  INodeExecutionData,
  INodeType,
  INodeTypeDescription,
  IWebhookFunctions,
  IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as assignment from './actions/assignment';
import * as chat from './actions/chat';
import * as file from './actions/file';
import { router } from './actions/router';
import * as skill from './actions/skill';
import * as task from './actions/task';
import { resumeFromWebhook } from './actions/task/webhook-wait';
import { getTaskTypes } from './methods/loadOptions';
import { searchChatSessions, searchTasks, searchTaskTypes } from './methods/listSearch';
import { getTaskInputs } from './methods/resourceMapping';
import { credentialTestMethods } from './transport/credential-test';

/**
 * Task → Run "Wait via Webhook": the server calls this execution's resume URL and n8n runs webhook(). A
 * restart webhook (as n8n's own Wait node has) lives only while an execution waits and is served by n8n
 * itself: nothing is registered on a remote service, so there is no webhook lifecycle to implement.
 */
const RESUME_WEBHOOKS: INodeTypeDescription['webhooks'] = [
  {
    name: 'default',
    httpMethod: 'POST',
    responseMode: 'onReceived',
    path: '',
    restartWebhook: true,
    isFullPath: true,
  },
];

export class F7CloudAssistant implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'F7cloud Assistant',
    name: 'f7CloudAssistant',
    icon: { light: 'file:../../icons/f7cloud.svg', dark: 'file:../../icons/f7cloud.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
    description: 'Run AI tasks, process documents and chat with the f7cloud / Nextcloud Assistant',
    defaults: { name: 'F7cloud Assistant' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }],
    webhooks: RESUME_WEBHOOKS,
    properties: [
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: 'Assignment', value: 'assignment' },
          { name: 'Chat', value: 'chat' },
          { name: 'File', value: 'file' },
          { name: 'Skill', value: 'skill' },
          { name: 'Task', value: 'task' },
        ],
        default: 'task',
      },
      ...task.description,
      ...file.description,
      ...chat.description,
      ...assignment.description,
      ...skill.description,
    ],
  };

  methods = {
    credentialTest: credentialTestMethods,
    loadOptions: { getTaskTypes },
    listSearch: { searchTaskTypes, searchTasks, searchChatSessions },
    resourceMapping: { getTaskInputs },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return await router.call(this);
  }

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    return await resumeFromWebhook(this);
  }
}
