// The emulator in its own process, so benchmark clients never share an event loop with the server.
// Usage: node bench/lib/emulator-process.mjs '<EmulatorOptions as JSON>'
// Prints one JSON line {url, users} when listening; closes (and removes its dataDir) on SIGTERM/SIGINT.
import { startEmulator } from '../../packages/emulator/dist/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const emu = await startEmulator({ port: 0, ...options });
process.stdout.write(`${JSON.stringify({ url: emu.url, users: emu.users, pid: process.pid })}\n`);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void emu.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// the parent died without stopping us: do not linger
process.stdin.on('end', stop);
process.stdin.resume();
