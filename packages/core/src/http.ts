// The HTTP layer, by concern: request building (request.ts), one exchange with retries, the rate-limit
// gate and deadlines (exchange.ts), decoding answers within limits (decode.ts), error meanings (http-errors.ts).
export { buildUrl, send, OCS_REQUEST, type OperationId, type RequestParams } from './request.js';
export { exchange, DEFAULT_RETRY, type Exchange, type HttpContext, type RetryPolicy } from './exchange.js';
export { DEFAULT_LIMITS, type BinaryResult, type RawAnswer, type ResponseLimits } from './decode.js';
export { errorFor, scrub } from './http-errors.js';
