#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';
import type { EmulatorOptions } from './options.js';

const HELP = `f7cloud-emulator: a local server that speaks the f7cloud / Nextcloud Assistant API

Usage: f7cloud-emulator [options]
  --port <n>          port to listen on (default 8080; 0 picks a free one)
  --host <addr>       loopback address to bind (default 127.0.0.1)
  --seed <n>          seed for app passwords, tokens and faults (default 1)
  --data-dir <dir>    keep uploaded file bodies on disk instead of in memory
  --pickup-ms <n>     default time until a task is picked up (default 50)
  --run-ms <n>        default time a task runs (default 100)
  --latency <ms>      added latency for every response
  --faults <file>     JSON file with an array of fault rules
  --assistant <v>     assistant version to act as: 2.13 (default), 3.5 or 4.0
  --nextcloud <v>     Nextcloud version to report (default: 31.0.2, 33.0.2 or 35.0.0 by --assistant)
  --context-agent     install the context agent: chat replies with agency (pending actions to approve)
  --profile <p>       idealised (default) or realistic: serial pickup, 1 s tasks, estimates without pickup
  --pickup <m>        realistic pickup: worker[:pollMs] (default worker:1000) or cron[:intervalMs] (cron:300000)
  --tls-key <file> --tls-cert <file>   serve HTTPS
  -h, --help`;

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number >= 0, got "${value}"`);
    process.exit(2);
  }
  return n;
}

function pickupOf(value: string | undefined): EmulatorOptions['pickup'] {
  if (value === undefined) return undefined;
  const m = /^(worker|cron)(?::(\d+))?$/.exec(value);
  if (!m) {
    console.error(`--pickup must be worker[:pollMs] or cron[:intervalMs], got "${value}"`);
    process.exit(2);
  }
  const ms = m[2] === undefined ? undefined : Number(m[2]);
  return m[1] === 'worker' ? { mode: 'worker', pollMs: ms } : { mode: 'cron', intervalMs: ms };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        'pickup-ms': { type: 'string' },
        'run-ms': { type: 'string' },
        latency: { type: 'string' },
        faults: { type: 'string' },
        assistant: { type: 'string' },
        nextcloud: { type: 'string' },
        'context-agent': { type: 'boolean' },
        profile: { type: 'string' },
        pickup: { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-cert': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const pickupMs = num('pickup-ms', values['pickup-ms']);
  const runMs = num('run-ms', values['run-ms']);
  const options: EmulatorOptions = {
    port: num('port', values.port) ?? 8080,
    host: values.host,
    seed: num('seed', values.seed),
    dataDir: values['data-dir'],
    latency: num('latency', values.latency),
    providers:
      pickupMs !== undefined || runMs !== undefined
        ? { default: { pickupMs: pickupMs ?? 50, runMs: runMs ?? 100 } }
        : undefined,
    assistant: values.assistant as EmulatorOptions['assistant'],
    nextcloud: values.nextcloud,
    contextAgent: values['context-agent'],
    profile: values.profile as EmulatorOptions['profile'],
    pickup: pickupOf(values.pickup),
  };
  if (values.faults) options.faults = JSON.parse(readFileSync(values.faults, 'utf8'));
  if (values['tls-key'] || values['tls-cert']) {
    if (!values['tls-key'] || !values['tls-cert']) {
      console.error('--tls-key and --tls-cert go together');
      process.exit(2);
    }
    options.tls = { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) };
  }
  const emu = await startEmulator(options);
  console.log(`f7cloud assistant emulator listening on ${emu.url}`);
  console.log('Users (login name / app password):');
  for (const u of emu.users) console.log(`  ${u.user} / ${u.appPassword}`);
  const first = emu.users[0];
  if (first) {
    console.log(
      `\nTry:\n  curl -u ${first.user}:${first.appPassword} -H 'OCS-APIRequest: true' -H 'Accept: application/json' ${emu.url}/ocs/v2.php/apps/assistant/api/v1/task-types`,
    );
  }
  console.log(`Control API: ${emu.url}/__emulator/state   (Ctrl+C to stop)`);
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(`f7cloud-emulator: ${err.message}`);
  process.exit(1);
});
