import { DomainError, ErrorKind } from '@parley/errors';
import sharp from 'sharp';
import type { ActingUser } from '../authorization/acting-user';
import type { ModelGatewayConfig } from '../model-gateway.config';
import { toOllamaChatRequest } from '../upstream/ollama-translation';
import { ChatFilesService } from './chat-files.service';
import type { ChatFileInfo, FilesClient } from './files.client';

const owner: ActingUser = { userId: 'u-owner', role: 'user', groupIds: [], permissions: [] };
const IMAGE_ID = '11111111-1111-4111-8111-111111111111';
const DOC_ID = '22222222-2222-4222-8222-222222222222';
const OTHERS_ID = '33333333-3333-4333-8333-333333333333';

/** The files service as the owner sees it: two own files; anything else is "not found", as it answers. */
function filesOf(image: Buffer, text: string): FilesClient {
  const rows: Record<string, ChatFileInfo> = {
    [IMAGE_ID]: { id: IMAGE_ID, filename: 'wide.png', contentType: 'image/png', size: image.length },
    [DOC_ID]: { id: DOC_ID, filename: 'report.pdf', contentType: 'application/pdf', size: 10 },
  };
  const row = (user: ActingUser, id: string) => {
    if (user.userId !== owner.userId || !rows[id])
      throw new DomainError(ErrorKind.NotFound, 'File not found.', { code: 'FILE_NOT_FOUND' });
    return rows[id];
  };
  return {
    info: async (user: ActingUser, id: string) => row(user, id),
    bytes: async (user: ActingUser, id: string) => (row(user, id), image),
    text: async (user: ActingUser, id: string) => (row(user, id), text),
  } as unknown as FilesClient;
}

const config = {
  MODEL_IMAGE_MAX_SIDE: 512,
  MODEL_IMAGE_MAX_INPUT_MB: 20,
  MODEL_FILE_CONTEXT_MAX_CHARS: 1_000,
} as ModelGatewayConfig;

const ask = (files: unknown[], content: unknown = 'What is in these?') => ({
  model: 'fake-model',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content, files },
  ],
});

const imageUrlOf = (message: Record<string, unknown>) =>
  (message.content as Array<{ type: string; image_url?: { url: string } }>).find(
    (p) => p.type === 'image_url',
  )?.image_url?.url;

describe('ChatFilesService (files of a completion to what the model reads)', () => {
  let wide: Buffer;
  let sut: ChatFilesService;

  beforeAll(async () => {
    wide = await sharp({ create: { width: 2000, height: 500, channels: 3, background: '#3366ff' } })
      .png()
      .toBuffer();
  });
  beforeEach(() => {
    sut = new ChatFilesService(filesOf(wide, 'Page one says the revenue rose 12%.'), config);
  });

  it('turns an image file into an OpenAI image_url data URL scaled to MODEL_IMAGE_MAX_SIDE', async () => {
    const body = await sut.attach(owner, ask([{ type: 'image', id: IMAGE_ID }]), {});
    const user = body.messages[1] as Record<string, unknown>;
    expect(user).not.toHaveProperty('files');
    expect(user.content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } },
    ]);
    const bytes = Buffer.from(imageUrlOf(user)!.split(',')[1]!, 'base64');
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 512, height: 128, format: 'png' });
  });

  it('keeps an image that already fits byte for byte', async () => {
    const small = new ChatFilesService(filesOf(wide, ''), { ...config, MODEL_IMAGE_MAX_SIDE: 4096 });
    const body = await small.attach(
      owner,
      ask([{ type: 'image', url: `/api/v1/files/${IMAGE_ID}/content` }]),
      {},
    );
    expect(imageUrlOf(body.messages[1] as Record<string, unknown>)).toBe(
      `data:image/png;base64,${wide.toString('base64')}`,
    );
  });

  it('gives an Ollama upstream the image as base64 in images', async () => {
    const body = await sut.attach(owner, ask([{ type: 'image', id: IMAGE_ID }]), {});
    const ollama = toOllamaChatRequest(body, 'fake-model', true) as {
      messages: Array<Record<string, unknown>>;
    };
    expect(ollama.messages[1]).toEqual({
      role: 'user',
      content: 'What is in these?',
      images: [expect.stringMatching(/^iVBORw0KGgo/)], // PNG's signature in base64, no data: prefix
    });
  });

  it('puts a document’s extracted text in a context block that names the file', async () => {
    const body = await sut.attach(
      owner,
      ask([{ type: 'file', file: { id: DOC_ID }, name: 'report.pdf' }]),
      {},
    );
    const text = (body.messages[1] as { content: string }).content;
    expect(text).toContain(
      '<source id="1" name="report.pdf">\nPage one says the revenue rose 12%.\n</source>',
    );
    expect(text.endsWith('</context>\n\nWhat is in these?')).toBe(true);
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('cuts a long document at MODEL_FILE_CONTEXT_MAX_CHARS and says how much was left out', async () => {
    const long = new ChatFilesService(filesOf(wide, 'x'.repeat(5_000)), config);
    const body = await long.attach(owner, ask([{ id: DOC_ID }]), {});
    const text = (body.messages[1] as { content: string }).content;
    expect(text).toContain(`${'x'.repeat(1_000)}\n[… 4000 more characters of this file left out]`);
    expect(text).not.toContain('x'.repeat(1_001));
  });

  it('attaches the form’s top-level files to the last user message and sends no files field on', async () => {
    const body = await sut.attach(
      owner,
      {
        ...ask([]),
        files: [
          { type: 'file', id: DOC_ID },
          { type: 'image', id: IMAGE_ID },
        ],
      },
      {},
    );
    expect(body).not.toHaveProperty('files');
    const content = (body.messages[1] as { content: Array<{ type: string; text?: string }> }).content;
    expect(content.map((p) => p.type)).toEqual(['text', 'image_url']);
    expect(content[0]!.text).toContain('name="report.pdf"');
  });

  it('refuses another user’s file with FILE_NOT_FOUND instead of leaving it out', async () => {
    await expect(sut.attach(owner, ask([{ id: OTHERS_ID }]), {})).rejects.toMatchObject({
      kind: ErrorKind.NotFound,
      code: 'FILE_NOT_FOUND',
    });
    const stranger = { ...owner, userId: 'u-stranger' };
    await expect(sut.attach(stranger, ask([{ id: IMAGE_ID }]), {})).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });

  it('refuses an image for a model whose capabilities say vision: false, documents still pass', async () => {
    await expect(sut.attach(owner, ask([{ id: IMAGE_ID }]), { vision: false })).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      code: 'MODEL_NO_VISION',
    });
    const inline = [
      { type: 'text', text: 'see' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } },
    ];
    await expect(sut.attach(owner, ask([], inline), { vision: false })).rejects.toMatchObject({
      code: 'MODEL_NO_VISION',
    });
    await expect(sut.attach(owner, ask([{ id: DOC_ID }]), { vision: false })).resolves.toBeDefined();
  });

  it('reads image parts that point at the files API as the user, and scales inline data URLs', async () => {
    const parts = [
      { type: 'text', text: 'compare' },
      { type: 'image_url', image_url: { url: `/api/v1/files/${IMAGE_ID}/content` } },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${wide.toString('base64')}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
    ];
    const body = await sut.attach(owner, ask([], parts), {});
    const content = (body.messages[1] as { content: Array<{ image_url?: { url: string } }> }).content;
    for (const part of content.slice(1, 3)) {
      const bytes = Buffer.from(part.image_url!.url.split(',')[1]!, 'base64');
      expect(await sharp(bytes).metadata()).toMatchObject({ width: 512, height: 128 });
    }
    expect(content[3]).toEqual(parts[3]);
    const stranger = { ...owner, userId: 'u-stranger' };
    await expect(sut.attach(stranger, ask([], parts), {})).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const broken = [{ type: 'image_url', image_url: { url: 'data:image/png;base64,bm90IGFuIGltYWdl' } }];
    await expect(sut.attach(owner, ask([], broken), {})).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
  });

  it('answers an entry that names no file with INVALID_FILE_REFERENCE', async () => {
    await expect(sut.attach(owner, ask([{ type: 'file', name: 'x.pdf' }]), {})).rejects.toMatchObject({
      kind: ErrorKind.InvalidArgument,
      code: 'INVALID_FILE_REFERENCE',
    });
  });
});
