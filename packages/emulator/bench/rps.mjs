// Requests per second of the emulator with N concurrent keep-alive clients, against a bare node:http
// server answering the same bytes (the baseline, measured in the same run).
// Usage (after `pnpm build`): node bench/rps.mjs [--clients 50] [--seconds 5] [--path /ocs/v2.php/apps/assistant/chat/sessions] [--json]
// --json prints one JSON line instead of the text (the repo's `pnpm bench` reads it).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { startEmulator } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    path: { type: 'string', default: '/ocs/v2.php/apps/assistant/api/v1/tasks' },
    json: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);

async function measure(base, path, headers) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const end = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const req = http.get(`${base}${path}`, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  const worker = async () => {
    while (Date.now() < end) await one();
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, worker));
  agent.destroy();
  return { rps: ok / ((Date.now() - started) / 1000), ok, failed };
}

const emu = await startEmulator({ port: 0 });
const [alice] = emu.users;
const headers = {
  Authorization: `Basic ${Buffer.from(`${alice.user}:${alice.appPassword}`).toString('base64')}`,
  'OCS-APIRequest': 'true',
  Accept: 'application/json',
};
const sample = await fetch(`${emu.url}${values.path}`, { headers });
const body = Buffer.from(await sample.arrayBuffer());
const bare = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));

const baseline = await measure(`http://127.0.0.1:${bare.address().port}`, values.path, headers);
const result = await measure(emu.url, values.path, headers);
bare.close();
await emu.close();

if (values.json) {
  console.log(
    JSON.stringify({
      path: values.path,
      bytes: body.length,
      clients,
      seconds,
      node: process.version,
      emulator: result,
      baseline,
      ratio: result.rps / baseline.rps,
    }),
  );
  process.exit(0);
}
console.log(
  `GET ${values.path} (${body.length} bytes), ${clients} keep-alive clients, ${seconds} s each, Node ${process.version}`,
);
console.log(`baseline node:http : ${baseline.rps.toFixed(0)} req/s (${baseline.failed} failed)`);
console.log(`emulator           : ${result.rps.toFixed(0)} req/s (${result.failed} failed)`);
console.log(`ratio              : ${(result.rps / baseline.rps).toFixed(2)} of bare node:http`);
