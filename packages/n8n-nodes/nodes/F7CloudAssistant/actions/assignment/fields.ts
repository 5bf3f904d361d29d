import { AssistantError } from '@f7cloud/assistant-client';
import type { INodeProperties } from 'n8n-workflow';

// Assignments are assistant 4.0's scheduled recurring prompts. Core checks the rule, start and time zone
// before sending; on older servers it refuses with "unsupported" before sending anything.

export const assignmentIdField: INodeProperties = {
  displayName: 'Assignment ID',
  name: 'assignmentId',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. 3',
  description: 'ID of the assignment, as returned by "Create" or "Get Many"',
};

export const recurrenceField: INodeProperties = {
  displayName: 'Recurrence',
  name: 'recurrence',
  type: 'string',
  default: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8',
  placeholder: 'e.g. FREQ=DAILY;BYHOUR=7',
  description:
    'When the prompt runs, as an iCalendar recurrence rule (RRULE), e.g. FREQ=WEEKLY;BYDAY=MO;BYHOUR=8 for Mondays at 8',
};

export const startsAtField: INodeProperties = {
  displayName: 'Starts At',
  name: 'startsAt',
  type: 'dateTime',
  default: '',
  description: 'From when on the rule applies; empty means now',
};

export const timezoneField: INodeProperties = {
  displayName: 'Time Zone',
  name: 'timezone',
  type: 'string',
  default: '',
  placeholder: 'e.g. Europe/Berlin',
  description: "IANA time zone of the rule's hours; empty uses the time zone of your account on the server",
};

/** A dateTime field's value (ISO text, or a Luxon/Date object from an expression) as a Date. */
export function startDate(value: unknown): Date {
  if (value === undefined || value === null || value === '') return new Date();
  const date =
    value instanceof Date
      ? value
      : typeof value === 'object' && typeof (value as { toJSDate?: unknown }).toJSDate === 'function'
        ? (value as { toJSDate: () => Date }).toJSDate()
        : new Date(String(value));
  if (Number.isNaN(date.getTime())) {
    throw new AssistantError({
      code: 'invalid_input',
      sent: false,
      summary: `"Starts At" is not a date: "${String(value).slice(0, 40)}". Nothing was sent.`,
      hint: 'Pick a date, or map an ISO date such as 2026-01-05T08:00:00Z.',
    });
  }
  return date;
}
