import type { INodeType, INodeTypeDescription, ISupplyDataFunctions, SupplyData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { loadAiNodeSdk } from '../F7CloudAssistantChatModel/sdk';
import { toNodeError } from '../F7CloudAssistant/helpers/errors';
import { getClient } from '../F7CloudAssistant/transport';
import { credentialTestMethods } from '../F7CloudAssistant/transport/credential-test';
import {
  AssistantSession,
  AssistantSessionMemory,
  checkSessionKey,
  type SessionTarget,
} from './session-memory';

export class F7CloudAssistantMemory implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'F7cloud Assistant Memory',
    name: 'f7CloudAssistantMemory',
    icon: { light: 'file:../../icons/f7cloud.svg', dark: 'file:../../icons/f7cloud.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["session"] === "id" ? "session " + $parameter["sessionId"] : "by key"}}',
    description:
      "Keeps the AI Agent's conversation in a chat session of your f7cloud / Nextcloud Assistant, where you can read it",
    defaults: { name: 'F7cloud Assistant Memory' },
    inputs: [],
    outputs: [NodeConnectionTypes.AiMemory],
    outputNames: ['Memory'],
    credentials: [{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }],
    properties: [
      {
        displayName: 'Session',
        name: 'session',
        type: 'options',
        noDataExpression: true,
        options: [
          {
            name: 'By Key',
            value: 'key',
            description:
              'One assistant chat session per key, created on the first answer and found again later',
          },
          { name: 'By ID', value: 'id', description: 'An existing assistant chat session' },
        ],
        default: 'key',
      },
      {
        displayName: 'Session Key',
        name: 'sessionKey',
        type: 'string',
        default: '={{ $json.sessionId }}',
        description:
          "Names the conversation. The default is the Chat Trigger's session ID; any expression works, e.g. a user or ticket ID.",
        displayOptions: { show: { session: ['key'] } },
      },
      {
        displayName: 'Session Title',
        name: 'sessionTitle',
        type: 'string',
        default: 'n8n',
        description:
          'Title of a new session in the Assistant. The memory adds the marker [n8n:KEY] to it and finds the session by that marker, so keep the marker when you rename it.',
        displayOptions: { show: { session: ['key'] } },
      },
      {
        displayName: 'Session ID',
        name: 'sessionId',
        type: 'number',
        default: 0,
        description:
          'ID of an existing assistant chat session (for example from the F7cloud Assistant node’s Chat → Create Session)',
        displayOptions: { show: { session: ['id'] } },
      },
      {
        displayName: 'Context Window Length',
        name: 'contextWindowLength',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 5,
        hint: 'How many past interactions the model receives as context',
      },
    ],
  };

  methods = { credentialTest: credentialTestMethods };

  async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
    const node = this.getNode();
    const sdk = await loadAiNodeSdk(node);
    try {
      let target: SessionTarget;
      if (this.getNodeParameter('session', itemIndex, 'key') === 'id') {
        const sessionId = Number(this.getNodeParameter('sessionId', itemIndex, 0));
        if (!Number.isSafeInteger(sessionId) || sessionId <= 0) {
          throw toNodeError(
            node,
            new Error(
              `Session ID must be the positive number of an assistant chat session, got ${sessionId}.`,
            ),
            itemIndex,
          );
        }
        target = { sessionId };
      } else {
        target = {
          key: checkSessionKey(this.getNodeParameter('sessionKey', itemIndex, '')),
          title: String(this.getNodeParameter('sessionTitle', itemIndex, 'n8n')),
        };
      }
      const windowLength = Math.max(
        1,
        Math.floor(Number(this.getNodeParameter('contextWindowLength', itemIndex, 5))),
      );
      const session = new AssistantSession(await getClient(this), target, { node, itemIndex });
      return sdk.supplyMemory(this, new AssistantSessionMemory(session, windowLength));
    } catch (error) {
      throw toNodeError(node, error, itemIndex);
    }
  }
}
