export { startEmulator, type RunningEmulator } from './server.js';
export type { EmulatorOptions, EmulatorUser, ProviderTiming, RateLimit, ChatOptions } from './options.js';
export type { FaultRule, FaultKind } from './faults.js';
export type { EmulatorControl, Latency } from './handlers/control.js';
