import type { FileStore } from '../files/file-store.js';
import { makePng } from '../media/png.js';
import { makeWav } from '../media/wav.js';
import type { Task } from '../state/store.js';
import { CHAT_WITH_TOOLS_TASK_TYPE, chatWithToolsProvider } from './chat-with-tools.js';
import { CONTEXT_AGENT_TASK_TYPE, contextAgentProvider } from './context-agent.js';
import { TASK_TYPES } from './task-types.js';

/** Deterministic fake providers: the same input always gives the same output, like the servers' test providers. */
export type Provider = (task: Task, files: FileStore) => Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));
const languageName = (code: unknown): string =>
  TASK_TYPES['core:text2text:translate']?.inputShapeEnumValues.origin_language?.find((l) => l.value === code)
    ?.name ?? str(code);

let fileSeq = 53000;
const outputName = (ext: string): string => `${Math.floor(Date.now() / 1000)}-${++fileSeq}${ext}`;

export const PROVIDERS: Record<string, Provider> = {
  'core:text2text': ({ input }) => ({
    output: `This is a fake result: \n\n- Prompt: ${str(input.input)}\n- Model: ${str(input.model)}\n- Maximum number of words: ${str(input.max_tokens)}`,
  }),
  'core:text2text:summary': ({ input }) => ({
    output: `This is a fake summary: ${str(input.input).split('\n')[0]?.slice(0, 200) ?? ''}`,
  }),
  'core:text2text:headline': ({ input }) => ({
    output: `Fake headline: ${str(input.input).split(/\s+/).slice(0, 6).join(' ')}`,
  }),
  'core:text2text:chat': ({ input }) => ({
    output: `This is a fake response message: \n\n- System prompt: ${str(input.system_prompt)}\n- Input message: ${str(input.input)}\n- Message history:\n${Array.isArray(input.history) ? input.history.length : 0} messages`,
  }),
  [CHAT_WITH_TOOLS_TASK_TYPE]: chatWithToolsProvider,
  [CONTEXT_AGENT_TASK_TYPE]: contextAgentProvider,
  'core:text2text:translate': ({ input }) => ({
    output: `Fake translation from ${languageName(input.origin_language)} to ${languageName(input.target_language)}: ${str(input.input)}\n\nModel: ${str(input.model)}\nMax tokens: ${str(input.max_tokens)}`,
  }),
  'core:text2image': (task, files) => {
    const count = Math.min(10, Math.max(1, Number(task.input.numberOfImages) || 1));
    const images: number[] = [];
    for (let i = 0; i < count; i++) {
      images.push(
        files.addAppData(task.userId, outputName(''), makePng(256, 256, `${str(task.input.input)}#${i}`)).id,
      );
    }
    return { images };
  },
  'core:audio2text': () => ({ output: 'Fake transcription result' }),
  'core:text2speech': (task, files) => ({
    speech: files.addAppData(task.userId, outputName(''), makeWav(str(task.input.input))).id,
  }),
};
