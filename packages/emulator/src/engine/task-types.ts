// Task type descriptions as real servers publish them (copied from the recorded /taskprocessing/tasktypes and
// assistant task-types answers; headline and text2speech follow Nextcloud's core definitions). The language
// list of translate is shortened. `assistantName`, `assistantDescription` and `priority` are what the assistant
// app's own task-types route shows instead.
import { CHAT_WITH_TOOLS_DEFINITION, CHAT_WITH_TOOLS_TASK_TYPE } from './chat-with-tools.js';
import { CONTEXT_AGENT_DEFINITION, CONTEXT_AGENT_TASK_TYPE } from './context-agent.js';

export interface ShapeEntry {
  name: string;
  description: string;
  type: string;
}
export type EnumValues = Record<string, { name: string; value: string }[]>;
export interface TaskTypeDefinition {
  name: string;
  description: string;
  inputShape: Record<string, ShapeEntry>;
  inputShapeEnumValues: EnumValues;
  inputShapeDefaults: Record<string, string | number>;
  optionalInputShape: Record<string, ShapeEntry>;
  optionalInputShapeEnumValues: EnumValues;
  optionalInputShapeDefaults: Record<string, string | number>;
  outputShape: Record<string, ShapeEntry>;
  outputShapeEnumValues: EnumValues;
  optionalOutputShape: Record<string, ShapeEntry>;
  optionalOutputShapeEnumValues: EnumValues;
  assistantName: string;
  assistantDescription: string;
  priority: number;
}

// The optional inputs every fake language-model provider offers (as the recorded server lists them).
const LLM_OPTIONS = {
  max_tokens: {
    name: 'Maximum output words',
    description: 'The maximum number of words/tokens that can be generated in the completion.',
    type: 'Number',
  },
  model: { name: 'Model', description: 'The model used to generate the completion', type: 'Enum' },
};
const MODEL_CHOICES = {
  model: [
    { name: 'Model 1', value: 'model_1' },
    { name: 'Model 2', value: 'model_2' },
    { name: 'Model 3', value: 'model_3' },
  ],
};

// The languages the fake translation provider offers (as upstream's fake provider lists them).
const LANGUAGES = [
  {
    name: 'English (US)',
    value: 'en',
  },
  {
    name: 'Español (España)',
    value: 'es',
  },
  {
    name: 'Français',
    value: 'fr',
  },
  {
    name: 'Deutsch (Persönlich: Du)',
    value: 'de',
  },
  {
    name: 'Deutsch (Förmlich: Sie)',
    value: 'de_DE',
  },
  {
    name: '日本語 (Japanese)',
    value: 'ja',
  },
  {
    name: 'Nederlands',
    value: 'nl',
  },
  {
    name: 'Italiano',
    value: 'it',
  },
];

export const CHAT_TASK_TYPE = 'core:text2text:chat';

export const TASK_TYPES: Record<string, TaskTypeDefinition> = {
  'core:text2text': {
    name: 'Free text to text prompt',
    description: 'Runs an arbitrary prompt through a language model that returns a reply',
    optionalInputShape: LLM_OPTIONS,
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      input: {
        name: 'Prompt',
        description: 'Describe a task that you want the assistant to do or ask a question',
        type: 'Text',
      },
    },
    optionalInputShapeEnumValues: MODEL_CHOICES,
    optionalInputShapeDefaults: {
      max_tokens: 1234,
      model: 'model_2',
    },
    outputShape: {
      output: {
        name: 'Generated reply',
        description: 'The generated text from the assistant',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Generate text',
    assistantDescription:
      'Send a request to the Assistant, for example: write a first draft of a presentation, give me suggestions for a presentation, write a draft reply to my colleague.',
    priority: 2,
  },
  'core:text2text:summary': {
    name: 'Summarize',
    description: 'Summarizes a text',
    optionalInputShape: LLM_OPTIONS,
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      input: {
        name: 'Original text',
        description: 'The original text to summarize',
        type: 'Text',
      },
    },
    optionalInputShapeEnumValues: MODEL_CHOICES,
    optionalInputShapeDefaults: {
      max_tokens: 1234,
      model: 'model_2',
    },
    outputShape: {
      output: {
        name: 'Summary',
        description: 'The generated summary',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Summarize',
    assistantDescription: 'Summarizes a text',
    priority: 9,
  },
  'core:text2text:headline': {
    name: 'Generate headline',
    description: 'Generates a possible headline for a text.',
    optionalInputShape: LLM_OPTIONS,
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      input: {
        name: 'Original text',
        description: 'The original text to generate a headline for',
        type: 'Text',
      },
    },
    optionalInputShapeEnumValues: MODEL_CHOICES,
    optionalInputShapeDefaults: {
      max_tokens: 1234,
      model: 'model_2',
    },
    outputShape: {
      output: {
        name: 'Headline',
        description: 'The generated headline',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Generate headline',
    assistantDescription: 'Generates a possible headline for a text.',
    priority: 10,
  },
  'core:text2text:chat': {
    name: 'Chat',
    description: 'Chat with the assistant',
    optionalInputShape: {},
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      system_prompt: {
        name: 'System prompt',
        description: 'Define rules and assumptions that the assistant should follow during the conversation.',
        type: 'Text',
      },
      input: {
        name: 'Chat message',
        description: 'Describe a task that you want the assistant to do or ask a question',
        type: 'Text',
      },
      history: {
        name: 'Chat history',
        description:
          'The history of chat messages before the current message, starting with a message by the user',
        type: 'ListOfTexts',
      },
    },
    optionalInputShapeEnumValues: {},
    optionalInputShapeDefaults: {},
    outputShape: {
      output: {
        name: 'Response message',
        description: 'The generated response as part of the conversation',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Chat',
    assistantDescription: 'Chat with the assistant',
    priority: 10,
  },
  [CHAT_WITH_TOOLS_TASK_TYPE]: CHAT_WITH_TOOLS_DEFINITION,
  // offered only when the context_agent app is installed (option contextAgent)
  [CONTEXT_AGENT_TASK_TYPE]: CONTEXT_AGENT_DEFINITION,
  'core:text2text:translate': {
    name: 'Translate',
    description: 'Translate text from one language to another',
    optionalInputShape: LLM_OPTIONS,
    inputShapeEnumValues: {
      origin_language: [{ name: 'Detect language', value: 'detect_language' }, ...LANGUAGES],
      target_language: LANGUAGES,
    },
    inputShapeDefaults: {
      origin_language: 'detect_language',
    },
    inputShape: {
      input: {
        name: 'Origin text',
        description: 'The text to translate',
        type: 'Text',
      },
      origin_language: {
        name: 'Origin language',
        description: 'The language of the origin text',
        type: 'Enum',
      },
      target_language: {
        name: 'Target language',
        description: 'The desired language to translate the origin text in',
        type: 'Enum',
      },
    },
    optionalInputShapeEnumValues: MODEL_CHOICES,
    optionalInputShapeDefaults: {
      max_tokens: 200,
      model: 'model_3',
    },
    outputShape: {
      output: {
        name: 'Result',
        description: 'The translated text',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Translate',
    assistantDescription: 'Translate text from one language to another',
    priority: 6,
  },
  'core:text2image': {
    name: 'Generate image',
    description: 'Generate an image from a text prompt',
    optionalInputShape: {
      size: {
        name: 'Size',
        description: 'Optional. The size of the generated images. Must be in 256x256 format.',
        type: 'Text',
      },
    },
    inputShapeEnumValues: {},
    inputShapeDefaults: {
      numberOfImages: 1,
    },
    inputShape: {
      input: {
        name: 'Prompt',
        description: 'Describe the image you want to generate',
        type: 'Text',
      },
      numberOfImages: {
        name: 'Number of images',
        description: 'How many images to generate',
        type: 'Number',
      },
    },
    optionalInputShapeEnumValues: {},
    optionalInputShapeDefaults: {},
    outputShape: {
      images: {
        name: 'Output images',
        description: 'The generated images',
        type: 'ListOfImages',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Generate image',
    assistantDescription: 'Generate an image from a text prompt',
    priority: 8,
  },
  'core:audio2text': {
    name: 'Transcribe audio',
    description: 'Transcribe the things said in an audio',
    optionalInputShape: {},
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      input: {
        name: 'Audio input',
        description: 'The audio to transcribe',
        type: 'Audio',
      },
    },
    optionalInputShapeEnumValues: {},
    optionalInputShapeDefaults: {},
    outputShape: {
      output: {
        name: 'Transcription',
        description: 'The transcribed text',
        type: 'Text',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Transcribe audio',
    assistantDescription: 'Transcribe the things said in an audio',
    priority: 5,
  },
  'core:text2speech': {
    name: 'Generate speech',
    description: 'Generate speech from a transcript',
    optionalInputShape: {},
    inputShapeEnumValues: {},
    inputShapeDefaults: {},
    inputShape: {
      input: {
        name: 'Prompt',
        description: 'Write transcript that you want the assistant to generate speech from',
        type: 'Text',
      },
    },
    optionalInputShapeEnumValues: {},
    optionalInputShapeDefaults: {},
    outputShape: {
      speech: {
        name: 'Output speech',
        description: 'The generated speech',
        type: 'Audio',
      },
    },
    outputShapeEnumValues: {},
    optionalOutputShape: {},
    optionalOutputShapeEnumValues: {},
    assistantName: 'Generate speech',
    assistantDescription: 'Generate speech from a transcript',
    priority: 11,
  },
};
