// Where real servers differ from openapi/assistant.json (which stays a verbatim copy of the spec we were
// given). Each entry replaces the node at a JSON pointer of the spec; `why` is the one-line reason, checked
// against docs/api-behaviour.md and the recorded real-server exchanges. The generator applies these
// before producing src/generated/, so the types and the runtime tables say what servers really do.

const api = '/paths/~1ocs~1v2.php~1apps~1assistant~1api~1{apiVersion}';
const chat = '/paths/~1ocs~1v2.php~1apps~1assistant~1chat~1';
const ocsData = (data) => ({
  type: 'object',
  required: ['ocs'],
  properties: {
    ocs: {
      type: 'object',
      required: ['meta', 'data'],
      properties: { meta: { $ref: '#/components/schemas/OCSMeta' }, data },
    },
  },
});
export const json = (schema) => ({ 'application/json': { schema } });
// PHP encodes an empty array as `[]`, so every "map" may arrive as an empty JSON array.
const mapOrEmpty = (values) => ({
  oneOf: [
    { type: 'object', additionalProperties: values },
    { type: 'array', maxItems: 0 },
  ],
});
const shapeMap = mapOrEmpty({ $ref: '#/components/schemas/ShapeDescriptor' });
const enumMap = mapOrEmpty({
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'value'],
    properties: { name: { type: 'string' }, value: { type: 'string' } },
  },
});
const defaultsMap = mapOrEmpty({ oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'array' }] });
export const pendingActions = { type: 'array', nullable: true, items: { type: 'object' } };

/** Answers every route can give that the spec does not list. @type {{ status: string, value: unknown, why: string }[]} */
export const everyOperation = [
  {
    status: '412',
    why: 'without the OCS-APIRequest header (and without a Bearer token) routes answer 412 CSRF check failed, plain JSON',
    value: {
      description: 'CSRF check failed',
      content: json({ type: 'object', required: ['message'], properties: { message: { type: 'string' } } }),
    },
  },
];

/** @type {{ pointer: string, value: unknown, why: string }[]} */
export const corrections = [
  {
    pointer: `${api}~1input-file/post/requestBody`,
    why: 'input-file is multipart/form-data: the file in part `data`, the optional name in part `filename`',
    value: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['data'],
            properties: {
              data: { type: 'string', format: 'binary', description: 'The file' },
              filename: { type: 'string', description: 'The input file name' },
            },
          },
        },
      },
    },
  },
  {
    pointer: `${api}~1task~1{ocpTaskId}~1file~1{fileId}~1save/post/responses/200/content`,
    why: 'save answers the saved copy {fileId, path}, not {shareToken}',
    value: json(
      ocsData({
        type: 'object',
        required: ['fileId', 'path'],
        properties: { fileId: { type: 'integer', format: 'int64' }, path: { type: 'string' } },
      }),
    ),
  },
  {
    pointer: `${api}~1task~1{ocpTaskId}~1notify/get/responses/200/content`,
    why: 'with nothing registered the notify record is {id:null, ocp_task_id:null, timestamp:null}',
    value: json(
      ocsData({
        type: 'object',
        required: ['id', 'ocp_task_id', 'timestamp'],
        properties: {
          id: { type: 'integer', format: 'int64', nullable: true },
          ocp_task_id: { type: 'integer', format: 'int64', nullable: true },
          timestamp: { type: 'integer', format: 'int64', nullable: true },
        },
      }),
    ),
  },
  {
    pointer: '/components/schemas/TaskProcessingTaskType',
    why: 'empty shape maps come as [], and servers also send the *EnumValues / *Defaults maps',
    value: {
      type: 'object',
      required: [
        'id',
        'name',
        'description',
        'inputShape',
        'optionalInputShape',
        'outputShape',
        'optionalOutputShape',
        'priority',
      ],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        priority: { type: 'integer', format: 'int64' },
        inputShape: shapeMap,
        inputShapeEnumValues: enumMap,
        inputShapeDefaults: defaultsMap,
        optionalInputShape: shapeMap,
        optionalInputShapeEnumValues: enumMap,
        optionalInputShapeDefaults: defaultsMap,
        outputShape: shapeMap,
        outputShapeEnumValues: enumMap,
        optionalOutputShape: shapeMap,
        optionalOutputShapeEnumValues: enumMap,
      },
    },
  },
  {
    pointer: '/components/schemas/TaskProcessingTask/properties/status',
    why: 'the status is always one of these six strings',
    value: {
      type: 'string',
      enum: [
        'STATUS_UNKNOWN',
        'STATUS_SCHEDULED',
        'STATUS_RUNNING',
        'STATUS_SUCCESSFUL',
        'STATUS_FAILED',
        'STATUS_CANCELLED',
      ],
    },
  },
  {
    pointer: '/components/schemas/ChatMessage/properties/attachments/items',
    why: 'attachments come back as they were sent: `file_id` (what generation reads), or `fileId` from older clients',
    value: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string' },
        file_id: { type: 'integer', format: 'int64' },
        fileId: { type: 'integer', format: 'int64' },
      },
    },
  },
  {
    pointer: '/components/schemas/ChatMessage/properties/ocp_task_id',
    why: 'human messages have no task: ocp_task_id is null',
    value: { type: 'integer', format: 'int64', nullable: true },
  },
  {
    pointer: '/components/schemas/ChatAgencyMessage/allOf/1/properties/sessionAgencyPendingActions',
    why: 'pending agency actions are an array or null, not an object',
    value: pendingActions,
  },
  {
    pointer: '/components/schemas/ChatSessionCheck/properties/sessionAgencyPendingActions',
    why: 'pending agency actions are an array or null, not an object',
    value: pendingActions,
  },
  ...['update_session/patch', 'delete_session/delete', 'delete_message/delete'].map((route) => ({
    pointer: `${chat}${route}/responses/200/content`,
    why: 'these answer an empty PHP array: `[]`',
    value: json({ type: 'array', maxItems: 0 }),
  })),
  {
    pointer: `${chat}check_generation/get/responses/417/content`,
    why: 'when the task is done but the reply is not stored yet, 417 is {task_status: 3} without slow_pickup; Nextcloud 35 adds task_output (the text so far) while a streaming provider generates',
    value: json({
      type: 'object',
      required: ['task_status'],
      properties: {
        task_status: { type: 'integer', format: 'int64' },
        slow_pickup: { type: 'boolean' },
        task_output: {
          type: 'object',
          nullable: true,
          additionalProperties: {
            oneOf: [
              { type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'string' }] } },
              { type: 'number' },
              { type: 'string' },
            ],
          },
        },
      },
    }),
  },
];
