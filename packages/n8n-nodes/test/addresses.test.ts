import { describe, expect, it } from 'vitest';
import { isLocalHost } from '../nodes/F7CloudAssistant/helpers/addresses';
import { resumeUrlWarning } from '../nodes/F7CloudAssistant/actions/task/run.operation';

const host = (url: string) => new URL(url).hostname;

describe('addresses a server cannot call back', () => {
  it.each([
    'http://localhost:5678/',
    'http://127.0.0.1/',
    'http://127.8.9.10/',
    'http://[::1]:5678/',
    'http://0.0.0.0/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.178.20/',
    'http://169.254.1.1/',
    'http://100.64.0.1/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:192.168.1.1]/',
    'http://n8n:5678/',
    'http://n8n.local/',
    'http://box.lan/',
    'http://app.localhost/',
    'http://n8n.home.arpa/',
  ])('%s is local', (url) => expect(isLocalHost(host(url))).toBe(true));

  it.each([
    'https://n8n.example.com/',
    'http://8.8.8.8/',
    'http://172.32.0.1/',
    'http://172.15.255.255/',
    'http://100.128.0.1/',
    'http://[2001:db8::1]/',
    'http://[::ffff:8.8.8.8]/',
    'http://localhost.example.com/',
  ])('%s is not local', (url) => expect(isLocalHost(host(url))).toBe(false));

  it('the resume warning names the address and only speaks about local ones', () => {
    expect(resumeUrlWarning('https://n8n.example.com/webhook-waiting/1')).toBeUndefined();
    expect(resumeUrlWarning('not a url')).toBeUndefined();
    expect(resumeUrlWarning('http://127.0.0.1:5678/webhook-waiting/1?signature=abc')).toMatch(
      /^The server is asked to call http:\/\/127\.0\.0\.1:5678 when the task ends, a local or private address/,
    );
    // Queue mode: the worker that runs the node builds the resume URL from its own WEBHOOK_URL.
    expect(resumeUrlWarning('http://localhost:5678/webhook-waiting/1?signature=abc')).toMatch(
      /WEBHOOK_URL is not set on the n8n process that ran this node; in queue mode the workers need it too/,
    );
    // the origin only: the signed path of the resume URL is not repeated in the hint
    expect(resumeUrlWarning('http://127.0.0.1:5678/webhook-waiting/1?signature=abc')).not.toContain(
      'signature',
    );
  });
});
