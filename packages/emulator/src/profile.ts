import type { AssistantVersion } from './options.js';

/** The server generation the emulator acts as: an assistant app version on a Nextcloud version. */
export interface Profile {
  assistant: AssistantVersion;
  /** Nextcloud version string reported in capabilities and status.php, e.g. `33.0.2`. */
  nextcloud: string;
  ncMajor: number;
  /** The context_agent app is installed: chat messages go to `core:contextagent:interaction` (agency). */
  contextAgent: boolean;
}

/** The assistant release of each profile and the Nextcloud it ships with (2.13 on 31.0.2 as recorded). */
export const RELEASES: Record<AssistantVersion, { assistant: string; nextcloud: string }> = {
  '2.13': { assistant: '2.13.0', nextcloud: '31.0.2' },
  '3.5': { assistant: '3.5.0', nextcloud: '33.0.2' },
  '4.0': { assistant: '4.0.0', nextcloud: '35.0.0' },
};

export function makeProfile(
  assistant: AssistantVersion = '2.13',
  nextcloud?: string,
  contextAgent = false,
): Profile {
  const nc = nextcloud ?? RELEASES[assistant].nextcloud;
  return { assistant, nextcloud: nc, ncMajor: parseInt(nc, 10), contextAgent };
}

/** What each generation adds, from the spec files and docs/api-behaviour.md ("Newer servers"). */
export const features = {
  /** assistant 3.1+: sessions carry memories (`summary`, `is_remembered`, `is_summary_up_to_date`); task types a `category` */
  memories: (p: Profile): boolean => p.assistant !== '2.13',
  /** assistant 4.0: assignments, skills, the assistant folder path, `new_message.timestamp` optional */
  assignments: (p: Profile): boolean => p.assistant === '4.0',
  /** Nextcloud 33: `includeWatermark` on schedule, `userFacingErrorMessage` on failed tasks */
  watermark: (p: Profile): boolean => p.ncMajor >= 33,
  /** Nextcloud 35: `preferStreaming`, chat check_generation 417 with `task_output` */
  streaming: (p: Profile): boolean => p.ncMajor >= 35,
};
