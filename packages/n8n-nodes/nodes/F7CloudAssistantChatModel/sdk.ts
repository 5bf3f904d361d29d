import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

type Sdk = typeof import('@n8n/ai-node-sdk');

/**
 * The AI node SDK comes from the n8n instance (a peer dependency). It is loaded when an AI sub-node runs,
 * not when n8n reads the node files, so the package's other nodes load on every n8n version.
 */
export async function loadAiNodeSdk(node: INode): Promise<Sdk> {
  try {
    // require, not import(): n8n makes its own modules resolvable for community packages through
    // NODE_PATH, which only require honours; and n8n itself uses the SDK's CommonJS build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@n8n/ai-node-sdk') as Sdk;
  } catch (error) {
    throw new NodeOperationError(node, 'This n8n has no AI node SDK (@n8n/ai-node-sdk)', {
      description: `The F7cloud Assistant Chat Model and Memory need n8n 2.41 or newer. Update n8n, or use the F7cloud Assistant node instead. (${(error as Error).message})`,
    });
  }
}
