import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FakeLlm, repoRoot, Stack, startFakeLlm, startStack } from '@parley/testing';
import { apiKeyOf, request, SignedUp, signUpsFrom } from './support/http';

const EXAMPLE = join(repoRoot(), 'dist/libs/api-client/examples/stream-into-chat.js');
const TOKENS = ['Ferries ', 'cross ', 'at ', 'dawn.'];

/** Runs the built example as a user would, to its exit. */
function runExample(env: Record<string, string>, prompt: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [EXAMPLE, prompt], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * libs/api-client/examples/stream-into-chat.ts, built, against a real stack: it lists the models, makes a
 * chat, streams the answer into it and prints each delta; REST then reads the same exchange in that chat.
 */
describe('the API client example against a running gateway', () => {
  const signUpAs = signUpsFrom('2001:db8:15c::');
  let upstream: FakeLlm;
  let stack: Stack;
  let owner: SignedUp;
  let key: string;

  beforeAll(async () => {
    expect(existsSync(EXAMPLE)).toBe(true);
    upstream = await startFakeLlm({ models: ['gpt-fake'], tokens: TOKENS, tokenDelayMs: 5 });
    stack = await startStack({
      copies: { auth: 1, chat: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: upstream.openaiBaseUrl,
        ENABLE_OLLAMA_API: 'false',
        ENABLE_TITLE_GENERATION: 'false',
      },
    });
    owner = await signUpAs(stack.gatewayUrls[0]!, 'Example');
    key = await apiKeyOf(stack.gatewayUrls[0]!, owner);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('prints the models, the chat and every delta, and the chat holds the exchange', async () => {
    const run = await runExample(
      { PARLEY_API_KEY: key, PARLEY_GRPC_URL: stack.grpcApiTargets[0]! },
      'When do ferries cross?',
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('models: gpt-fake');
    const chatId = /^chat: (\S+)$/.exec(lines[1]!)?.[1];
    expect(chatId).toBeDefined();
    const deltas = lines
      .filter((l) => l.startsWith('delta: '))
      .map((l) => JSON.parse(l.slice('delta: '.length)) as string);
    expect(deltas.join('')).toBe(TOKENS.join(''));
    expect(lines.at(-1)).toMatch(/^done: stop, [1-9]\d* tokens, message \S+$/);

    const read = await request<{
      chat: { history: { messages: Record<string, { role: string; content: string }> } };
    }>(stack.gatewayUrls[0]!, 'GET', `/api/v1/chats/${chatId}`, { token: owner.token });
    expect(read.status).toBe(200);
    const messages = Object.values(read.body.chat.history.messages).map((m) => [m.role, m.content]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ['user', 'When do ferries cross?'],
        ['assistant', TOKENS.join('')],
      ]),
    );
  });

  it('exits 1 with the status and reason on a refused key', async () => {
    const run = await runExample(
      { PARLEY_API_KEY: 'sk-not-a-key', PARLEY_GRPC_URL: stack.grpcApiTargets[0]! },
      'Hi',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^failed: UNAUTHENTICATED UNAUTHENTICATED /);
  });
});
