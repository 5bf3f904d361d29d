import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import type { INodeExecutionData } from 'n8n-workflow';
import { F7CloudAssistant } from '../../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { createContext, emulatorCredentials, type ContextOptions } from './context';

export const CANARY = 'Canary-unit-9Zr4-Secret';

export async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  return await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: CANARY }, { user: 'bob' }],
    rateLimit: { schedule: { limit: 1000, windowMs: 60_000 }, notify: { limit: 1000, windowMs: 60_000 } },
    ...options,
  });
}

/** Runs the action node once with the given parameters and returns its only output, plus what it sent. */
export async function runNode(
  emu: RunningEmulator,
  parameters: ContextOptions['parameters'],
  extra: Partial<ContextOptions> = {},
): Promise<{ items: INodeExecutionData[] } & ReturnType<typeof createContext>> {
  const fake = createContext({ parameters, credentials: emulatorCredentials(emu), ...extra });
  const [items] = await new F7CloudAssistant().execute.call(fake.context);
  return { items: items ?? [], ...fake };
}
