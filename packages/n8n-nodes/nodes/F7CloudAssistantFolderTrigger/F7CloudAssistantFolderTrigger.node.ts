import {
  AssistantError,
  decideFolder,
  isFileActionOutput,
  MAX_LIST_DEPTH,
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
import { NodeConnectionTypes } from 'n8n-workflow';
import { pollTrigger } from '../F7CloudAssistant/helpers/poll-trigger';
import { credentialTestMethods } from '../F7CloudAssistant/transport/credential-test';

/** How far "Include Subfolders" looks down: the deepest listing core's files.list makes. */
const SUBFOLDER_LEVELS = MAX_LIST_DEPTH;

export class F7CloudAssistantFolderTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'F7cloud Assistant Folder Trigger',
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
    return await pollTrigger<ListedFile>(this, {
      stateKey: 'folderState',
      read: async (client) =>
        (await client.files.list(folder, { depth: recursive ? SUBFOLDER_LEVELS : 1 })).filter(
          (file) =>
            byName(file.name) && byMime(file.mimeType) && (includeOutputs || !isFileActionOutput(file.name)),
        ),
      decide: (stored, files) =>
        decideFolder(stored, files, { waitForStableSize: options.waitForStableSize !== false }),
      // The newest matching file.
      sample: (files) => {
        const latest = [...files].sort((a, b) => b.lastModified - a.lastModified || b.fileId - a.fileId)[0];
        return latest && { ...latest, change: 'added' };
      },
      noSample: {
        message: `No file in "${folder}" matches the filters yet`,
        description: 'Put a file into the folder and test again.',
      },
      missing: {
        // Core answers `not_found` only when the server's file system says the folder is missing (a wrong
        // server address is another error): a folder the user has not created yet.
        is: (error) => AssistantError.isInstance(error) && error.code === 'not_found',
        message: `The folder "${folder}" does not exist yet`,
        description:
          'Create it (or check the path) and put a file into it to test. While the workflow is active, a missing folder counts as empty: each file put into it once it exists starts the workflow.',
      },
    });
  }
}
