import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

it('starts from the CLI, prints URL, users and app passwords, and answers curl-style requests', async () => {
  expect(
    existsSync(CLI),
    'dist/cli.js is missing: run `pnpm build` first (turbo does this before test)',
  ).toBe(true);
  const child = spawn(process.execPath, [CLI, '--port', '0', '--seed', '7'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('bob /')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
    });
    const [, user, password] = /\n {2}(alice) \/ (\S+)/.exec(out) ?? [];
    expect(user).toBe('alice');
    const res = await fetch(`${url}/ocs/v2.php/apps/assistant/chat/sessions`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`,
        'OCS-APIRequest': 'true',
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  } finally {
    child.kill('SIGTERM');
  }
});

it('refuses bad arguments with a message saying what is wrong', async () => {
  const child = spawn(process.execPath, [CLI, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(2);
  expect(err).toContain('--port must be a number >= 0, got "abc"');
});
