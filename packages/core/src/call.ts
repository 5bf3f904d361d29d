// Typed access to every operation of the spec (+ corrections) and of the TaskProcessing description.
import type { operations as Ops } from './generated/schema.js';
import { operations } from './generated/operations.js';
import { errorFor, scrub, send, type BinaryResult, type HttpContext, type OperationId } from './http.js';
import type { UploadData } from './multipart.js';
import { BASELINE_VERSION } from './server.js';

export type { OperationId };

type Defined<T> = Exclude<T, undefined>;
type PathOf<K extends OperationId> = [Defined<Ops[K]['parameters']['path']>] extends [never]
  ? Record<never, never>
  : Omit<Defined<Ops[K]['parameters']['path']>, 'apiVersion'>;
type QueryOf<K extends OperationId> = Defined<Ops[K]['parameters']['query']>;
type Content<K extends OperationId> = Ops[K]['requestBody'] extends { content: infer C } | undefined
  ? C
  : never;
type BodyOf<K extends OperationId> =
  Content<K> extends { 'multipart/form-data': unknown }
    ? UploadData
    : Content<K> extends { 'application/json': infer J }
      ? J
      : never;

type PathPart<K extends OperationId> = [keyof PathOf<K>] extends [never]
  ? { path?: undefined }
  : { path: PathOf<K> };
type QueryPart<K extends OperationId> = [QueryOf<K>] extends [never]
  ? { query?: undefined }
  : Record<never, never> extends QueryOf<K>
    ? { query?: QueryOf<K> }
    : { query: QueryOf<K> };
type BodyPart<K extends OperationId> = [BodyOf<K>] extends [never]
  ? { body?: undefined }
  : undefined extends Ops[K]['requestBody']
    ? { body?: BodyOf<K> }
    : { body: BodyOf<K> };

export type CallParams<K extends OperationId> = PathPart<K> &
  QueryPart<K> &
  BodyPart<K> & {
    signal?: AbortSignal;
    /** A deadline on the client's clock (ms): no retry wait and no request in flight outlives it. */
    deadline?: number;
    /** Binary downloads only: return a stream instead of the bytes. */
    stream?: boolean;
  };

type Success<K extends OperationId> = Ops[K]['responses'] extends { 200: { content: infer C } } ? C : never;

/** What `call` resolves to: the OCS `data`, the plain JSON body, or a binary result for downloads. */
export type CallResult<K extends OperationId> =
  Success<K> extends { 'application/json': infer J }
    ? J extends { ocs: { data: infer D } }
      ? D
      : J
    : BinaryResult;

type NoRequired<T> = Record<never, never> extends T ? true : false;

export type Call = <K extends OperationId>(
  operationId: K,
  ...params: NoRequired<CallParams<K>> extends true ? [params?: CallParams<K>] : [params: CallParams<K>]
) => Promise<CallResult<K>>;

/**
 * `gate` is asked first for operations newer than the 2.13 contract: it throws `unsupported` when the
 * server lacks the operation, so nothing is sent to a server that would answer 404.
 */
export function makeCall(ctx: HttpContext, gate?: (operationId: OperationId) => Promise<void>): Call {
  return (async (operationId: OperationId, params: Parameters<typeof send>[2] = {}) => {
    const op =
      typeof operationId === 'string' && Object.hasOwn(operations, operationId)
        ? operations[operationId]
        : undefined;
    if (gate && op && op.since !== BASELINE_VERSION) await gate(operationId);
    const answer = await send(ctx, operationId, params);
    if (answer.status < 200 || answer.status >= 300) {
      throw scrub(
        ctx,
        errorFor({ operationId, summary: operations[operationId].summary, url: ctx.baseUrl }, answer),
      );
    }
    return answer.data;
  }) as Call;
}
