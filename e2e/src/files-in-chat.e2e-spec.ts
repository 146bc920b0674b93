import { randomUUID } from 'node:crypto';
import { FakeLlm, pdfWithPages, Stack, startFakeLlm, startStack } from '@parley/testing';
import sharp from 'sharp';
import { request, signUpsFrom, untilStatus, type SignedUp } from './support/http';

const MODEL = 'vision-fake';
const OLLAMA_MODEL = 'llava-fake';
const TOKENS = ['It ', 'shows ', 'a ', 'chart.'];
const PDF_TEXT = 'Quarterly revenue rose by twelve percent.';

type Part = { type: string; text?: string; image_url?: { url: string } };
type UpstreamMessage = { role: string; content: string | Part[] };

/** Open WebUI's upload: multipart `file`, processed (text extracted) unless an image. */
async function upload(gateway: string, who: SignedUp, bytes: Buffer, filename: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${gateway}/api/v1/files/?process=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

/** The user message the fake upstream got in its last request that carried `marker`. */
function upstreamQuestion(fake: FakeLlm, marker: string): UpstreamMessage {
  const bodies = fake.stats.requestBodies.filter((b) => JSON.stringify(b).includes(marker));
  const messages = bodies.at(-1)?.messages as UpstreamMessage[] | undefined;
  const question = messages?.find((m) => m.role === 'user');
  if (!question) throw new Error(`no upstream request carried ${marker}`);
  return question;
}

/**
 * Files attached to chats reach the model (docs/files-in-chats.md): a user uploads an image and a PDF
 * through the gateway, references them in a completion (OpenAI-compatible and as a chat task), and the
 * fake upstream records an image part (scaled to MODEL_IMAGE_MAX_SIDE) and the PDF's text.
 */
describe('files in chats reach the model', () => {
  let stack: Stack;
  let fake: FakeLlm;
  let ollama: FakeLlm;
  let gateway: string;
  let admin: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let imageId: string;
  let pdfId: string;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: [MODEL], tokens: TOKENS });
    ollama = await startFakeLlm({ models: [OLLAMA_MODEL], tokens: TOKENS });
    stack = await startStack({
      copies: { auth: 1, chat: 1, files: 1, 'model-gateway': 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        OPENAI_API_BASE_URLS: fake.openaiBaseUrl,
        OPENAI_API_KEYS: '',
        OLLAMA_BASE_URLS: ollama.url,
        ENABLE_TITLE_GENERATION: 'false',
        MODEL_IMAGE_MAX_SIDE: '256',
      },
    });
    gateway = stack.gatewayUrls[0]!;
    const signUp = signUpsFrom('2001:db8:f11f::');
    admin = await signUp(gateway, 'Admin');
    alice = await signUp(gateway, 'Alice');
    bob = await signUp(gateway, 'Bob');
    const image = await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#c0ffee' } })
      .png()
      .toBuffer();
    imageId = await upload(gateway, alice, image, 'chart.png');
    pdfId = await upload(gateway, alice, await pdfWithPages([PDF_TEXT]), 'report.pdf');
    const done = await untilStatus(
      200,
      async () => {
        const res = await request<{ status: string }>(
          gateway,
          'GET',
          `/api/v1/files/${pdfId}/process/status`,
          {
            token: alice.token,
          },
        );
        return res.body.status === 'completed' ? res : { ...res, status: 202 };
      },
      20_000,
    );
    expect(done.body.status).toBe('completed');
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
    await ollama?.close();
  });

  const files = () => [
    { type: 'image', id: imageId },
    { type: 'file', id: pdfId, name: 'report.pdf' },
  ];

  function expectImageAndText(question: UpstreamMessage, marker: string) {
    const parts = question.content as Part[];
    expect(parts[0]!.text).toContain(`<source id="1" name="report.pdf">`);
    expect(parts[0]!.text).toContain(PDF_TEXT);
    expect(parts[0]!.text).toContain(marker);
    const image = parts.find((p) => p.type === 'image_url')!.image_url!.url;
    expect(image).toMatch(/^data:image\/png;base64,/);
    return sharp(Buffer.from(image.split(',')[1]!, 'base64')).metadata();
  }

  it('sends /api/chat/completions files to the upstream as an image part and the PDF text, streaming the answer', async () => {
    const marker = `q-${randomUUID()}`;
    const res = await fetch(`${gateway}/api/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: `What do these show? ${marker}`, files: files() }],
      }),
    });
    expect(res.status).toBe(200);
    const sse = await res.text();
    const text = sse
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map(
        (l) =>
          (JSON.parse(l.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]
            ?.delta?.content ?? '',
      )
      .join('');
    expect(text).toBe(TOKENS.join(''));
    expect(sse.trim().endsWith('data: [DONE]')).toBe(true);
    const meta = await expectImageAndText(upstreamQuestion(fake, marker), marker);
    expect(meta).toMatchObject({ width: 256, height: 128 });
    expect(JSON.stringify(fake.stats.requestBodies.at(-1))).not.toContain('"files"');
  });

  it('gives an Ollama upstream the image in images (base64) and the PDF text in content', async () => {
    const marker = `o-${randomUUID()}`;
    const res = await request(gateway, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: {
        model: OLLAMA_MODEL,
        stream: false,
        messages: [{ role: 'user', content: marker, files: files() }],
      },
    });
    expect(res.status).toBe(200);
    const question = upstreamQuestion(ollama, marker) as UpstreamMessage & { images?: string[] };
    expect(question.content).toEqual(expect.stringContaining(PDF_TEXT));
    expect(question.images).toHaveLength(1);
    const meta = await sharp(Buffer.from(question.images![0]!, 'base64')).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 256, height: 128 });
  });

  it('resolves the files of a chat task (top-level form files) as the task’s user', async () => {
    const marker = `t-${randomUUID()}`;
    const chat = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token: alice.token,
      body: { chat: { models: [MODEL] } },
    });
    const question = await request<{ message: { id: string } }>(
      gateway,
      'POST',
      `/api/v1/chats/${chat.body.id}/messages`,
      {
        token: alice.token,
        body: { message: { role: 'user', content: marker, files: files() } },
      },
    );
    const answerId = randomUUID();
    const started = await request(gateway, 'POST', '/api/chat/completions', {
      token: alice.token,
      body: {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: `Summarise ${marker}` }],
        files: files(),
        chat_id: chat.body.id,
        id: answerId,
        parent_id: question.body.message.id,
      },
    });
    expect(started.status).toBe(200);
    const saved = await untilStatus(
      200,
      async () => {
        const res = await request<{
          chat: { history: { messages: Record<string, { done?: boolean; content: string }> } };
        }>(gateway, 'GET', `/api/v1/chats/${chat.body.id}`, { token: alice.token });
        return res.body.chat?.history.messages[answerId]?.done ? res : { ...res, status: 202 };
      },
      15_000,
    );
    expect(saved.body.chat.history.messages[answerId]!.content).toBe(TOKENS.join(''));
    expect(await expectImageAndText(upstreamQuestion(fake, marker), marker)).toMatchObject({ width: 256 });
  });

  it('refuses another user’s file with 404 FILE_NOT_FOUND on both paths, never dropping it', async () => {
    const before = fake.stats.completions;
    const direct = await request<{ detail: string; code: string }>(gateway, 'POST', '/api/chat/completions', {
      token: bob.token,
      body: {
        model: MODEL,
        messages: [{ role: 'user', content: 'peek', files: [{ type: 'file', id: pdfId }] }],
      },
    });
    expect(direct.status).toBe(404);
    expect(direct.body.code).toBe('FILE_NOT_FOUND');
    const chat = await request<{ id: string }>(gateway, 'POST', '/api/v1/chats/new', {
      token: bob.token,
      body: { chat: { models: [MODEL] } },
    });
    const task = await request<{ code: string }>(gateway, 'POST', '/api/chat/completions', {
      token: bob.token,
      body: {
        model: MODEL,
        messages: [{ role: 'user', content: 'peek' }],
        files: [{ type: 'image', id: imageId }],
        chat_id: chat.body.id,
        id: randomUUID(),
        parent_id: '',
      },
    });
    expect(task.status).toBe(404);
    expect(task.body.code).toBe('FILE_NOT_FOUND');
    // Open WebUI's frontend puts images in the content as files-API URLs: read as Bob, refused too.
    const part = { type: 'image_url', image_url: { url: `/api/v1/files/${imageId}/content` } };
    const inline = await request<{ code: string }>(gateway, 'POST', '/api/chat/completions', {
      token: bob.token,
      body: { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'peek' }, part] }] },
    });
    expect(inline.status).toBe(404);
    expect(inline.body.code).toBe('FILE_NOT_FOUND');
    expect(fake.stats.completions).toBe(before);
  });

  it('answers 400 MODEL_NO_VISION for an image sent to a preset whose capabilities say vision: false', async () => {
    const presetId = `text-only-${randomUUID()}`;
    const created = await request(gateway, 'POST', '/api/v1/models/create', {
      token: admin.token,
      body: {
        id: presetId,
        base_model_id: MODEL,
        name: 'Text only',
        meta: { capabilities: { vision: false } },
        params: {},
      },
    });
    expect(created.status).toBe(200);
    const refused = await request<{ detail: string; code: string }>(
      gateway,
      'POST',
      '/api/chat/completions',
      {
        token: admin.token,
        body: {
          model: presetId,
          messages: [{ role: 'user', content: 'look', files: [{ type: 'image', id: imageId }] }],
        },
      },
    );
    // The admin reads Alice's file (admins may), so the refusal is about the model, not the file.
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'MODEL_NO_VISION',
      detail: expect.stringContaining('vision'),
    });
  });
});
