import {
  AssistantError,
  decideFolder,
  isFileActionOutput,
  mimeMatcher,
  nameMatcher,
  type ListedFile,
} from '@f7cloud/assistant-client';
import type {
  IDataObject,
  INodeExecutionData,
  INodeType,
  INodeTypeDescription,
  IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../F7CloudAssistant/helpers/errors';
import { getClient } from '../F7CloudAssistant/transport';
import { credentialTestMethods } from '../F7CloudAssistant/transport/credential-test';

/** How far "Include Subfolders" looks down: the deepest listing core's files.list makes. */
const SUBFOLDER_LEVELS = 10;

export class F7CloudAssistantFolderTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'f7cloud Assistant Folder Trigger',
    name: 'f7CloudAssistantFolderTrigger',
    icon: { light: 'file:../../icons/f7cloud.svg', dark: 'file:../../icons/f7cloud.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{"On file added or changed in " + $parameter["folder"]}}',
    description: 'Starts the workflow when a file is added to or changed in a folder of your cloud files',
    defaults: { name: 'On File Added or Changed in Folder' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }],
    properties: [
      {
        displayName: 'Folder',
        name: 'folder',
        type: 'string',
        required: true,
        default: '/Inbox',
        placeholder: 'e.g. /Inbox',
        description: 'Path of the folder to watch in your cloud files',
      },
      {
        displayName: 'Include Subfolders',
        name: 'recursive',
        type: 'boolean',
        default: false,
        description: 'Whether files in folders inside the folder count too',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'File Names',
            name: 'names',
            type: 'string',
            default: '',
            placeholder: 'e.g. *.mp3, *.m4a',
            description: 'Only files whose name matches one of these comma-separated patterns (* and ?)',
          },
          {
            displayName: 'MIME Types',
            name: 'mimeTypes',
            type: 'string',
            default: '',
            placeholder: 'e.g. audio/*, application/pdf',
            description: 'Only files of these comma-separated types',
          },
          {
            displayName: 'Include Files Written by File Actions',
            name: 'includeActionOutputs',
            type: 'boolean',
            default: false,
            description:
              'Whether files the assistant writes beside a source ("… - summarized.md", "… - transcribed.md", "… - text to speech.mp3") start the workflow too. Off, a workflow that writes them does not start itself again.',
          },
          {
            displayName: 'Wait Until Upload Finished',
            name: 'waitForStableSize',
            type: 'boolean',
            default: true,
            description:
              'Whether a new or changed file is emitted only once two polls in a row find the same size and version, so a file still being written is not processed half-way',
          },
        ],
      },
    ],
  };

  methods = { credentialTest: credentialTestMethods };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const folder = String(this.getNodeParameter('folder', '/') ?? '/').trim() || '/';
    const recursive = this.getNodeParameter('recursive', false) as boolean;
    const options = this.getNodeParameter('options', {}) as IDataObject;
    const byName = nameMatcher(String(options.names ?? ''));
    const byMime = mimeMatcher(String(options.mimeTypes ?? ''));
    const includeOutputs = options.includeActionOutputs === true;
    const decideOptions = { waitForStableSize: options.waitForStableSize !== false };

    let files: ListedFile[] | undefined;
    try {
      const client = await getClient(this);
      files = await client.files.list(folder, { depth: recursive ? SUBFOLDER_LEVELS : 1 });
    } catch (error) {
      // Core answers `not_found` only when the server's file system says the folder is missing (a wrong
      // server address is another error): a folder the user has not created yet.
      if (!(AssistantError.isInstance(error) && error.code === 'not_found')) {
        const nodeError = toNodeError(this.getNode(), error, 0);
        if (nodeError instanceof NodeApiError) throw nodeError;
        throw new NodeOperationError(this.getNode(), nodeError.message, {
          description: nodeError.description ?? undefined,
        });
      }
    }

    const staticData = this.getWorkflowStaticData('node');
    if (!files) {
      if (this.getMode() === 'manual') {
        throw new NodeOperationError(this.getNode(), `The folder "${folder}" does not exist yet`, {
          description:
            'Create it (or check the path) and put a file into it to test. While the workflow is active, a missing folder counts as empty: each file put into it once it exists starts the workflow.',
        });
      }
      // A first look at a missing folder sees an empty one, so the files put into it once it exists are
      // new rather than the baseline; a later look keeps what it knew (a folder renamed away and back
      // does not replay its files).
      staticData.folderState ??= decideFolder(undefined, [], decideOptions).state as unknown as IDataObject;
      return null;
    }
    const wanted = files.filter(
      (file) =>
        byName(file.name) && byMime(file.mimeType) && (includeOutputs || !isFileActionOutput(file.name)),
    );

    if (this.getMode() === 'manual') {
      // The newest matching file as a sample, without touching the stored state.
      const latest = [...wanted].sort((a, b) => b.lastModified - a.lastModified || b.fileId - a.fileId)[0];
      if (!latest) {
        throw new NodeOperationError(this.getNode(), `No file in "${folder}" matches the filters yet`, {
          description: 'Put a file into the folder and test again.',
        });
      }
      return [[{ json: { ...latest, change: 'added' } }]];
    }

    const { emit, state } = decideFolder(staticData.folderState, wanted, decideOptions);
    staticData.folderState = state as unknown as IDataObject;
    if (emit.length === 0) return null;
    return [emit.map((file) => ({ json: { ...file } }))];
  }
}
