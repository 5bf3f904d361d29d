// RFC 5545 (3.3.10) recurrence rules, checked before an assignment is sent: the server only answers 400
// "malformed recurrence rule" without saying which part is wrong.
import { badInput } from './errors.js';
import { printable } from './shape.js';

const FREQS = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const EXAMPLE = 'e.g. "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=8" or "FREQ=DAILY;INTERVAL=2"';

/** Whole-number lists and their allowed ranges (a leading sign where RFC 5545 allows counting from the end). */
const NUMBER_LISTS: Record<string, { min: number; max: number; signed: boolean }> = {
  BYSECOND: { min: 0, max: 60, signed: false },
  BYMINUTE: { min: 0, max: 59, signed: false },
  BYHOUR: { min: 0, max: 23, signed: false },
  BYMONTHDAY: { min: 1, max: 31, signed: true },
  BYYEARDAY: { min: 1, max: 366, signed: true },
  BYWEEKNO: { min: 1, max: 53, signed: true },
  BYMONTH: { min: 1, max: 12, signed: false },
  BYSETPOS: { min: 1, max: 366, signed: true },
};
const KNOWN = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYDAY', 'WKST', ...Object.keys(NUMBER_LISTS)]);

function wrong(rule: string, part: string, why: string) {
  return badInput(
    `The recurrence "${printable(rule, 120)}" is not a valid RRULE: ${part} ${why}.`,
    `Write it as in RFC 5545, ${EXAMPLE}.`,
  );
}

function checkDate(rule: string, value: string): void {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  const [y, mo, d, h = 0, mi = 0, s = 0] = (m ?? []).slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const date = m ? new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s)) : undefined;
  if (!date || date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d! || h > 23 || mi > 59 || s > 60) {
    throw wrong(rule, `UNTIL=${value}`, 'must be a date like 20270131 or a UTC time like 20270131T090000Z');
  }
}

/**
 * Checks a recurrence rule (RFC 5545 RRULE value, with or without the `RRULE:` prefix) and returns it as it
 * is to be sent (prefix removed, names upper-cased). Throws `invalid_input` naming the wrong part.
 */
export function checkRecurrence(rule: unknown): string {
  if (typeof rule !== 'string' || rule.trim() === '') {
    throw badInput('The recurrence is empty.', `Give a recurrence rule (RRULE), ${EXAMPLE}.`);
  }
  const text = rule.trim().replace(/^RRULE:/i, '');
  const seen = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part === '') throw wrong(rule, 'an empty part (";;" or a trailing ";")', 'is not allowed');
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toUpperCase();
    const value =
      eq < 0
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .toUpperCase();
    if (!KNOWN.has(name)) {
      throw wrong(rule, `"${printable(name, 30)}"`, `is not a rule part (known: ${[...KNOWN].join(', ')})`);
    }
    if (seen.has(name)) throw wrong(rule, name, 'is given twice');
    if (value === '') throw wrong(rule, name, 'has no value');
    seen.set(name, value);
  }
  const freq = seen.get('FREQ');
  if (!freq) throw wrong(rule, 'FREQ', `is required (one of ${FREQS.join(', ')})`);
  if (!(FREQS as readonly string[]).includes(freq)) {
    throw wrong(rule, `FREQ=${freq}`, `must be one of ${FREQS.join(', ')}`);
  }
  for (const [name, value] of seen) {
    if (name === 'COUNT' || name === 'INTERVAL') {
      if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
        throw wrong(rule, `${name}=${value}`, 'must be a whole number of 1 or more');
      }
    } else if (name === 'UNTIL') {
      checkDate(rule, value);
    } else if (name === 'WKST') {
      if (!DAYS.includes(value)) throw wrong(rule, `WKST=${value}`, `must be one of ${DAYS.join(', ')}`);
    } else if (name === 'BYDAY') {
      for (const day of value.split(',')) {
        const m = /^([+-]?)(\d{1,2})?([A-Z]{2})$/.exec(day);
        const n = m?.[2] ? Number(m[2]) : undefined;
        if (!m || !DAYS.includes(m[3]!) || (n !== undefined && (n < 1 || n > 53))) {
          throw wrong(rule, `BYDAY=${value}`, `has "${day}", expected days like MO, TU or 1MO, -1FR`);
        }
        if (n !== undefined && freq !== 'MONTHLY' && freq !== 'YEARLY') {
          throw wrong(rule, `BYDAY=${value}`, `numbers days ("${day}") only with FREQ=MONTHLY or YEARLY`);
        }
      }
    } else if (NUMBER_LISTS[name]) {
      const { min, max, signed } = NUMBER_LISTS[name]!;
      for (const item of value.split(',')) {
        const m = /^([+-]?)(\d{1,3})$/.exec(item);
        const n = m ? Number(m[2]) : NaN;
        if (!m || (m[1] && !signed) || n < min || n > max) {
          throw wrong(
            rule,
            `${name}=${value}`,
            `has "${item}", expected whole numbers from ${signed ? `${-max} to -${min} or ` : ''}${min} to ${max}`,
          );
        }
      }
    }
  }
  if (seen.has('UNTIL') && seen.has('COUNT')) throw wrong(rule, 'UNTIL and COUNT', 'cannot both be given');
  if (seen.has('BYWEEKNO') && freq !== 'YEARLY') throw wrong(rule, 'BYWEEKNO', 'needs FREQ=YEARLY');
  if (seen.has('BYMONTHDAY') && freq === 'WEEKLY')
    throw wrong(rule, 'BYMONTHDAY', 'cannot be used with FREQ=WEEKLY');
  if (seen.has('BYYEARDAY') && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(freq)) {
    throw wrong(rule, 'BYYEARDAY', `cannot be used with FREQ=${freq}`);
  }
  if (seen.has('BYSETPOS') && ![...seen.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) {
    throw wrong(rule, 'BYSETPOS', 'needs another BY… part to pick from');
  }
  return [...seen].map(([k, v]) => `${k}=${v}`).join(';');
}

/**
 * Checks a time zone: an IANA name the runtime knows (`Europe/Berlin`, `UTC`) or an offset like `+0100`, as
 * the server takes them. Returns the canonical name.
 */
export function checkTimeZone(zone: unknown): string {
  if (typeof zone === 'string' && /^[+-](0\d|1[0-4])[0-5]\d$/.test(zone.trim())) return zone.trim();
  if (typeof zone === 'string' && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone.trim())) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
    } catch {
      // not a zone this runtime knows: reported below
    }
  }
  throw badInput(
    `"${printable(zone, 60)}" is not a time zone.`,
    'Give an IANA time zone name such as "Europe/Berlin" or "America/New_York", or an offset such as "+0100".',
  );
}
