// The parts of Node-RED's runtime API these nodes use, typed as Node-RED 4 and 5 provide them
// (@node-red/registry's node API, @node-red/runtime's Node). Kept local and small on purpose: the
// published @types/node-red describe Node-RED 1.x and pull in the editor's jQuery types.

/** A message travelling through a flow. */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  [property: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** What the editor saved for a node: its id, type, wires and the fields of its `defaults`. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [field: string]: unknown;
}

type Callback<T = void> = (err: Error | null | undefined, value?: T) => void;

export interface ContextStore {
  get(key: string, store: string | undefined, callback: Callback<unknown>): void;
  set(key: string, value: unknown, store: string | undefined, callback: (err?: Error | null) => void): void;
}

export interface NodeContext {
  global: ContextStore;
}

/** A running node, as `this` in a node's constructor after RED.nodes.createNode. */
export interface Node<Credentials = Record<string, string | undefined>> {
  id: string;
  type: string;
  name?: string;
  credentials?: Credentials;
  on(
    event: 'input',
    listener: (
      msg: NodeMessage,
      send: (msg: NodeMessage | (NodeMessage | null)[]) => void,
      done: (err?: Error) => void,
    ) => void,
  ): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  /** One message, or one per output (null: nothing on that output). */
  send(msg: NodeMessage | (NodeMessage | null)[]): void;
  status(status: NodeStatus): void;
  log(text: string): void;
  warn(text: string): void;
  error(text: string, msg?: NodeMessage): void;
  context(): NodeContext;
}

/** The few parts of an express request and response the admin endpoints read and write. */
export interface AdminRequest {
  body?: unknown;
}
export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
}
export type AdminHandler = (req: AdminRequest, res: AdminResponse) => void | Promise<void>;
export type AdminMiddleware = (req: AdminRequest, res: AdminResponse, next: () => void) => void;

/** The parts of an express request and response the webhook callback route uses. */
export interface WakeRequest {
  params?: Record<string, string | undefined>;
}
export interface WakeResponse {
  status(code: number): WakeResponse;
  end(): void;
}
type WakeHandler = (req: WakeRequest, res: WakeResponse) => void;

export type TypedInputType = 'str' | 'num' | 'msg' | 'flow' | 'global' | 'env' | 'json' | 'bool';

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(
      type: string,
      constructor: (this: Node, def: NodeDef) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
    getNode(id: string): unknown;
  };
  httpAdmin?: {
    post(route: string, permission: AdminMiddleware, handler: AdminHandler): void;
    get(route: string, permission: AdminMiddleware, handler: AdminHandler): void;
  };
  /** Node-RED's HTTP node server (absent when httpNodeRoot is false). */
  httpNode?: {
    post(route: string, handler: WakeHandler): void;
    get(route: string, handler: WakeHandler): void;
    put(route: string, handler: WakeHandler): void;
  };
  settings?: { httpNodeRoot?: string | false };
  auth: { needsPermission(permission: string): AdminMiddleware };
  util: {
    /** Synchronous for str, num, msg, env, json, bool, and flow/global of the default store. */
    evaluateNodeProperty(value: string, type: TypedInputType, node: Node, msg: NodeMessage): unknown;
    cloneMessage<T extends NodeMessage>(msg: T): T;
  };
  version?(): string;
  _?(key: string, vars?: Record<string, unknown>): string;
}
