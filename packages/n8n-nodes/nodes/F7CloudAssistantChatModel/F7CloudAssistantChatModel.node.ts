import type {
  ILoadOptionsFunctions,
  INodePropertyOptions,
  INodeType,
  INodeTypeDescription,
  ISupplyDataFunctions,
  SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../F7CloudAssistant/helpers/errors';
import { getClient } from '../F7CloudAssistant/transport';
import { credentialTestMethods } from '../F7CloudAssistant/transport/credential-test';
import { loadAiNodeSdk } from './sdk';
import { AssistantChatModel, CHAT_TASK_TYPE, CHAT_WITH_TOOLS_TASK_TYPE, serverTaskTypes } from './chat-model';

async function chatTypeOptions(
  ctx: ILoadOptionsFunctions,
  withTools: boolean,
): Promise<INodePropertyOptions[]> {
  const types = await serverTaskTypes(await getClient(ctx));
  return [...types.values()]
    .filter(
      (t) => 'input' in t.inputShape && 'history' in t.inputShape && withTools === 'tools' in t.inputShape,
    )
    .map((t) => ({ name: t.name, value: t.id, description: t.description || t.id }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export class F7CloudAssistantChatModel implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'F7cloud Assistant Chat Model',
    name: 'f7CloudAssistantChatModel',
    icon: { light: 'file:../../icons/f7cloud.svg', dark: 'file:../../icons/f7cloud.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["chatTaskType"]}}',
    description:
      "Lets the AI Agent think with your own f7cloud / Nextcloud Assistant's language model, tools included",
    defaults: { name: 'F7cloud Assistant Chat Model' },
    inputs: [],
    outputs: [NodeConnectionTypes.AiLanguageModel],
    outputNames: ['Model'],
    credentials: [{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }],
    properties: [
      {
        displayName: 'Chat Task Type Name or ID',
        name: 'chatTaskType',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getChatTaskTypes' },
        default: CHAT_TASK_TYPE,
        description:
          'The task type for turns without tools. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Task Type With Tools Name or ID',
        name: 'toolsTaskType',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getToolTaskTypes' },
        default: CHAT_WITH_TOOLS_TASK_TYPE,
        description:
          'The task type for turns where the agent offers tools (Nextcloud 31 or newer). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Optional Inputs',
            name: 'optionalInputs',
            type: 'fixedCollection',
            typeOptions: { multipleValues: true },
            default: {},
            description:
              "Optional inputs the server's task types offer, such as the maximum number of output tokens",
            options: [
              {
                displayName: 'Input',
                name: 'input',
                values: [
                  {
                    displayName: 'Name or ID',
                    name: 'name',
                    type: 'options',
                    typeOptions: {
                      loadOptionsMethod: 'getOptionalInputs',
                      loadOptionsDependsOn: ['chatTaskType', 'toolsTaskType'],
                    },
                    default: '',
                    description:
                      'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
                  },
                  {
                    displayName: 'Value',
                    name: 'value',
                    type: 'string',
                    default: '',
                  },
                ],
              },
            ],
          },
          {
            displayName: 'Timeout (Seconds)',
            name: 'timeout',
            type: 'number',
            typeOptions: { minValue: 1 },
            default: 600,
            description:
              'How long to wait for one answer of the server, pickup by its background worker included',
          },
        ],
      },
    ],
  };

  methods = {
    credentialTest: credentialTestMethods,
    loadOptions: {
      async getChatTaskTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return await chatTypeOptions(this, false);
      },
      async getToolTaskTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return await chatTypeOptions(this, true);
      },
      async getOptionalInputs(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        const types = await serverTaskTypes(await getClient(this));
        const seen = new Map<string, INodePropertyOptions>();
        for (const id of [
          this.getCurrentNodeParameter('chatTaskType'),
          this.getCurrentNodeParameter('toolsTaskType'),
        ]) {
          const type = typeof id === 'string' ? types.get(id) : undefined;
          for (const [name, slot] of Object.entries(type?.optionalInputShape ?? {})) {
            if (!seen.has(name)) {
              seen.set(name, {
                name: slot.name || name,
                value: name,
                description: `${slot.description} (${slot.type})`,
              });
            }
          }
        }
        return [...seen.values()];
      },
    },
  };

  async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
    const node = this.getNode();
    const chatTaskType = String(this.getNodeParameter('chatTaskType', itemIndex, CHAT_TASK_TYPE)).trim();
    const toolsTaskType = String(
      this.getNodeParameter('toolsTaskType', itemIndex, CHAT_WITH_TOOLS_TASK_TYPE),
    ).trim();
    const options = this.getNodeParameter('options', itemIndex, {}) as {
      optionalInputs?: { input?: { name?: string; value?: string | number }[] };
      timeout?: number;
    };
    const optionalInputs: Record<string, string | number> = {};
    for (const entry of options.optionalInputs?.input ?? []) {
      const name = String(entry.name ?? '').trim();
      if (!name) {
        throw new NodeOperationError(node, 'An optional input has no name', {
          description: 'Pick the input under Options → Optional Inputs, or remove the empty entry.',
          itemIndex,
        });
      }
      optionalInputs[name] = entry.value ?? '';
    }
    const sdk = await loadAiNodeSdk(node);
    try {
      const model = new AssistantChatModel({
        client: await getClient(this),
        chatTaskType: chatTaskType || CHAT_TASK_TYPE,
        toolsTaskType: toolsTaskType || CHAT_WITH_TOOLS_TASK_TYPE,
        optionalInputs,
        timeoutMs: Math.max(1, options.timeout ?? 600) * 1000,
        ...(this.getExecutionCancelSignal() ? { signal: this.getExecutionCancelSignal() } : {}),
        jsonSchema: (tool) => sdk.getParametersJsonSchema(tool),
        node,
        itemIndex,
      });
      return sdk.supplyModel(this, model);
    } catch (error) {
      throw toNodeError(node, error, itemIndex);
    }
  }
}
