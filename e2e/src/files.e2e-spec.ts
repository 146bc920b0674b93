import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createGrpcClient } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import {
  docxWithParagraphs,
  freePort,
  pdfWithPages,
  startServiceProcess,
  startStack,
  testCallerSigning,
  testInfrastructure,
  userCaller,
  type ServiceProcess,
  type Stack,
} from '@parley/testing';
import { request, signUpsFrom, type SignedUp } from './support/http';

interface FileBody {
  id: string;
  user_id: string;
  hash: string;
  filename: string;
  status?: boolean;
  data: { status?: string; content?: string; error?: string };
  meta: { name: string; content_type: string; size: number; data: Record<string, unknown> };
  created_at: number;
  updated_at: number;
}

/** Open WebUI's frontend upload: FormData with `file` first and `metadata` after it. */
async function upload(
  gateway: string,
  who: SignedUp,
  bytes: Buffer,
  filename: string,
  { process = true, metadata }: { process?: boolean; metadata?: object } = {},
) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), filename);
  if (metadata) form.append('metadata', JSON.stringify(metadata));
  const res = await fetch(`${gateway}/api/v1/files/?process=${process}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as FileBody & { detail?: string; code?: string } };
}

/** Open WebUI polls the status until it is not pending (bounded). */
async function settled(gateway: string, who: SignedUp, id: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const res = await request<{ status: string }>(gateway, 'GET', `/api/v1/files/${id}/process/status`, {
      token: who.token,
    });
    if (res.body.status !== 'pending') return res.body.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('still pending');
}

async function storedCount(stack: Stack): Promise<number> {
  let count = 0;
  for (const user of await readdir(stack.uploadDir).catch(() => [] as string[]))
    count += (await readdir(`${stack.uploadDir}/${user}`)).length;
  return count;
}

describe('files through the gateway (local storage)', () => {
  let stack: Stack;
  let gateway: string;
  let alice: SignedUp;
  let bob: SignedUp;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, files: 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        RAG_FILE_MAX_SIZE: '1',
        RAG_FILE_MAX_COUNT: '5',
        WEBUI_NAME: 'Acme Chat',
        RAG_ALLOWED_FILE_EXTENSIONS: 'txt,pdf,docx,html',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    const signUp = signUpsFrom('2001:db8:f11e::');
    await signUp(gateway, 'Admin');
    alice = await signUp(gateway, 'Alice');
    bob = await signUp(gateway, 'Bob');
  });
  afterAll(() => stack?.stop());

  it('tells clients the upload limits and the installation’s name in /api/config, as Open WebUI does', async () => {
    const config = await request<{ file: unknown; name: string }>(gateway, 'GET', '/api/config');
    expect(config.body.file).toEqual({ max_size: 1, max_count: 5 });
    expect(config.body.name).toBe('Acme Chat'); // WEBUI_NAME
  });

  it('runs Open WebUI’s upload flow: multipart, then poll; the shapes match', async () => {
    const bytes = Buffer.from('hello from a text file');
    const res = await upload(gateway, alice, bytes, 'hello.txt', { metadata: { chat_id: 'c1' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: true,
      id: expect.any(String),
      user_id: alice.id,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      filename: 'hello.txt',
      data: { status: 'pending' },
      meta: { name: 'hello.txt', content_type: 'text/plain', size: bytes.length, data: { chat_id: 'c1' } },
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(await settled(gateway, alice, res.body.id)).toBe('completed');
    const content = await request(gateway, 'GET', `/api/v1/files/${res.body.id}/data/content`, {
      token: alice.token,
    });
    expect(content.body).toEqual({ content: 'hello from a text file' });
    const listed = await request<FileBody[]>(gateway, 'GET', '/api/v1/files/?content=false', {
      token: alice.token,
    });
    expect(listed.body.map((file) => file.id)).toContain(res.body.id);
    expect(listed.body.every((file) => file.data.content === undefined)).toBe(true);
  });

  it('streams the status as SSE until it is final', async () => {
    const res = await upload(gateway, alice, await pdfWithPages(['Streamed']), 's.pdf');
    const sse = await fetch(`${gateway}/api/v1/files/${res.body.id}/process/status?stream=true`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const events = (await sse.text())
      .split('\n\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line.replace(/^data: /, '')) as { status: string });
    expect(events[events.length - 1]).toEqual({ status: 'completed' });
  });

  it('gives back the text of a PDF (with page numbers) and of a DOCX', async () => {
    const pdf = await upload(gateway, alice, await pdfWithPages(['One', 'Two']), 'r.pdf');
    const docx = await upload(gateway, alice, await docxWithParagraphs(['Word text']), 'w.docx');
    expect(await settled(gateway, alice, pdf.body.id)).toBe('completed');
    expect(await settled(gateway, alice, docx.body.id)).toBe('completed');
    const text = async (id: string) =>
      (
        await request<{ content: string }>(gateway, 'GET', `/api/v1/files/${id}/data/content`, {
          token: alice.token,
        })
      ).body.content;
    expect(await text(pdf.body.id)).toBe('--- page 1 ---\nOne\n\n--- page 2 ---\nTwo');
    expect(await text(docx.body.id)).toBe('Word text');
  });

  it('serves the bytes with a safe Content-Disposition, and HTML only as an attachment with nosniff', async () => {
    const html = await upload(gateway, alice, Buffer.from('<script>alert(1)</script>'), 'évil "page".html');
    const res = await fetch(`${gateway}/api/v1/files/${html.body.id}/content`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(await res.text()).toBe('<script>alert(1)</script>');
  });

  it('refuses bad uploads with a clear 4xx and keeps nothing of them', async () => {
    const before = await storedCount(stack);
    const tooBig = await upload(gateway, alice, Buffer.alloc(1024 * 1024 + 10, 'a'), 'big.txt');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ code: 'FILE_TOO_LARGE', detail: expect.stringContaining('1 MB') });
    const wrongType = await upload(gateway, alice, Buffer.from('MZ'), 'tool.exe');
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.code).toBe('FILE_EXTENSION_NOT_ALLOWED');
    const empty = await upload(gateway, alice, Buffer.alloc(0), 'empty.txt');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('FILE_EMPTY');
    const truncated = await truncatedUpload(gateway, alice);
    expect(truncated.status).toBe(400);
    expect(JSON.parse(truncated.body)).toMatchObject({ code: 'UPLOAD_TRUNCATED' });
    // The gateway answers the truncated form at once; the files service removes its partial object as it
    // learns of the cancel: wait for that (bounded).
    let count = await storedCount(stack);
    for (let i = 0; i < 200 && count !== before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      count = await storedCount(stack);
    }
    expect(count).toBe(before);
  });

  it('answers another user’s file id with 404 on every route', async () => {
    const mine = await upload(gateway, alice, Buffer.from('private'), 'mine.txt', { process: false });
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/content'],
      ['GET', '/data/content'],
      ['GET', '/process/status'],
      ['DELETE', ''],
    ] as const) {
      const res = await request(gateway, method, `/api/v1/files/${mine.body.id}${path}`, {
        token: bob.token,
      });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const deleted = await request(gateway, 'DELETE', `/api/v1/files/${mine.body.id}`, { token: alice.token });
    expect(deleted.body).toEqual({ message: 'File deleted successfully' });
  });
});

/** A multipart body cut off before its closing boundary (chunked, so the request itself ends cleanly). */
function truncatedUpload(gateway: string, who: SignedUp): Promise<{ status: number; body: string }> {
  const boundary = `----parley${randomBytes(8).toString('hex')}`;
  const url = new URL(`${gateway}/api/v1/files/?process=false`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${who.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'transfer-encoding': 'chunked',
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\n`,
    );
    req.write(Buffer.alloc(100 * 1024, 'c'));
    req.end();
  });
}

describe('files across two copies on S3', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, files: 2, gateway: 2 },
      s3: true,
      env: { DEFAULT_USER_ROLE: 'user' },
    });
  });
  afterAll(() => stack?.stop());

  it('uploads through gateway A and files A, downloads through gateway B and files B', async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const signUp = signUpsFrom('2001:db8:f11f::');
    const user = await signUp(a, 'Carol');
    const bytes = randomBytes(700 * 1024);
    const uploaded = await upload(a, user, bytes, 'random.bin', { process: false });
    expect(uploaded.status).toBe(200);
    const res = await fetch(`${b}/api/v1/files/${uploaded.body.id}/content`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const text = await upload(b, user, await pdfWithPages(['Across copies']), 'x.pdf');
    expect(await settled(a, user, text.body.id)).toBe('completed');
  });
});

/**
 * Between a files copy and S3: passes everything, except that it holds the first object GET (the start
 * of an extraction) unanswered, so the copy is provably mid-extraction when the test kills it.
 */
async function stallingS3Proxy(target: URL) {
  let stalled!: () => void;
  const stalledGet = new Promise<void>((resolve) => (stalled = resolve));
  let holding = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (!holding && /^GET \/[^?\s]+\/[0-9a-f-]{36}\/[0-9a-f-]{36}[?\s]/.test(text)) {
        holding = true;
        stalled();
        return; // never forwarded: the copy waits for an answer that does not come
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalledGet,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('extraction survives a SIGKILL of the copy doing it', () => {
  let stack: Stack;
  let proxy: Awaited<ReturnType<typeof stallingS3Proxy>>;
  let copyB: ServiceProcess | undefined;
  const queue = `FILES_FAILOVER_${randomBytes(4).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    // Copy A stores through the proxy; the stack's S3 server is started first so the proxy can point at it.
    stack = await startStack({ copies: {}, s3: true });
    proxy = await stallingS3Proxy(new URL(stack.s3!.endpoint));
  });
  afterAll(async () => {
    await copyB?.stop();
    await proxy?.close();
    await stack?.stop();
  });

  it('hands the job to another copy after the ack wait, which completes it', async () => {
    const infra = await testInfrastructure();
    const baseEnv = {
      ...stack.s3!.env,
      DATABASE_URL: stack.database.url,
      NATS_URL: infra.natsUrl,
      CALLER_ASSERTION_SECRET: stack.callerSecret,
      FILES_WORK_QUEUE: queue,
      FILES_EXTRACTION_TIMEOUT_MS: '3000',
    };
    const startCopy = async (label: string, env: Record<string, string>) => {
      const [httpPort, grpcPort] = [await freePort(), await freePort()];
      const proc = await startServiceProcess('files', {
        env: { ...baseEnv, ...env, HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) },
        httpPort,
        label,
      });
      const client = createGrpcClient(filesV1.FilesService, `127.0.0.1:${grpcPort}`, {
        deadlineMs: 20_000,
        peerName: 'files',
        signing: testCallerSigning('files', stack.callerSecret),
      });
      return { proc, client };
    };
    const a = await startCopy('files-a', { S3_ENDPOINT_URL: proxy.url });
    const owner = userCaller(randomUUID());
    const pdf = await pdfWithPages(['Survived']);
    async function* messages() {
      yield { part: { case: 'metadata' as const, value: { filename: 'k.pdf', process: true } } };
      yield { part: { case: 'chunk' as const, value: pdf } };
      yield { part: { case: 'trailer' as const, value: { metadataJson: '' } } };
    }
    const { file } = await a.client.uploadFile(messages(), { caller: owner });
    await proxy.stalledGet;
    a.client.close();
    expect(await a.proc.stop('SIGKILL')).toBe('SIGKILL');

    const b = await startCopy('files-b', {});
    copyB = b.proc;
    let status = filesV1.FileStatus.PENDING;
    // Bounded by the ack wait (5 s) plus start-up; each look is a real call, not a fixed sleep.
    for (let i = 0; i < 400 && status === filesV1.FileStatus.PENDING; i++) {
      status = (await b.client.getProcessStatus({ fileId: file!.id }, { caller: owner })).status;
      if (status === filesV1.FileStatus.PENDING) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(filesV1.FileStatus.COMPLETED);
    expect((await b.client.getFileContent({ fileId: file!.id }, { caller: owner })).content).toBe(
      '--- page 1 ---\nSurvived',
    );
    b.client.close();
  });
});
