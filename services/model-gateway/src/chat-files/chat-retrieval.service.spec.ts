import type { Logger } from '@parley/logging';
import type { ActingUser } from '../authorization/acting-user';
import { ChatRetrievalService } from './chat-retrieval.service';
import type { FilesClient } from './files.client';
import type { RetrievalClient, RetrievalTarget, RetrievedContext } from './retrieval.client';

const user: ActingUser = { userId: 'u1', role: 'user', groupIds: [], permissions: [] };
const logger = { warn: () => undefined } as unknown as Logger;
const DOC = '11111111-1111-4111-8111-111111111111';
const IMAGE = '22222222-2222-4222-8222-222222222222';

const files = {
  info: async (_u: ActingUser, id: string) => ({
    id,
    filename: id === IMAGE ? 'a.png' : 'doc.pdf',
    contentType: id === IMAGE ? 'image/png' : 'application/pdf',
    size: 1,
  }),
} as unknown as FilesClient;

function retrieval(enabled: boolean, answer?: Partial<RetrievedContext>) {
  const asked: RetrievalTarget[][] = [];
  const client = {
    enabled,
    context: async (_u: ActingUser, _q: string, targets: RetrievalTarget[]) => {
      asked.push(targets);
      return { prompt: '', sources: [], bypass: false, ...answer };
    },
  } as unknown as RetrievalClient;
  return { client, asked };
}

const source = {
  source: { type: 'file', id: DOC, name: 'doc.pdf' },
  document: ['x'],
  metadata: [],
  distances: [1],
};
const ask = (files: unknown[]) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'What is in it?', files }],
});

describe('ChatRetrievalService', () => {
  it('replaces the question with the filled template and drops the searched documents, keeping images', async () => {
    const { client, asked } = retrieval(true, { prompt: 'CONTEXT + What is in it?', sources: [source] });
    const sut = new ChatRetrievalService(client, files, logger);
    const out = await sut.ground(
      user,
      ask([{ id: DOC }, { type: 'image', id: IMAGE }, { type: 'collection', id: 'k1' }]),
      ['k2'],
    );
    expect(asked).toEqual([[{ knowledgeBaseId: 'k2' }, { fileId: DOC }, { knowledgeBaseId: 'k1' }]]);
    expect(out.sources).toEqual([source]);
    expect(out.body.messages[0]).toEqual({
      role: 'user',
      content: 'CONTEXT + What is in it?',
      files: [{ type: 'image', id: IMAGE }],
    });
  });

  it('leaves documents for the full-context path when nothing was found in files or retrieval is bypassed', async () => {
    for (const answer of [{ sources: [] }, { bypass: true, sources: [source] }]) {
      const sut = new ChatRetrievalService(retrieval(true, answer).client, files, logger);
      const out = await sut.ground(user, ask([{ id: DOC }]));
      expect(out.sources).toEqual([]);
      expect(out.body.messages[0]).toEqual(ask([{ id: DOC }]).messages[0]);
    }
  });

  it('without retrieval: a preset’s knowledge is skipped, a collection in the message is refused', async () => {
    const sut = new ChatRetrievalService(retrieval(false).client, files, logger);
    const out = await sut.ground(user, ask([{ id: DOC }]), ['k1']);
    expect(out).toEqual({ body: ask([{ id: DOC }]), sources: [] });
    await expect(sut.ground(user, ask([{ type: 'collection', id: 'k1' }]))).rejects.toMatchObject({
      code: 'RETRIEVAL_NOT_CONFIGURED',
    });
  });

  it('fails a knowledge-base question when retrieval fails, but sends files whole', async () => {
    const failing = {
      enabled: true,
      context: async () => {
        throw new Error('down');
      },
    } as unknown as RetrievalClient;
    const sut = new ChatRetrievalService(failing, files, logger);
    await expect(sut.ground(user, ask([{ type: 'collection', id: 'k1' }]))).rejects.toThrow('down');
    const out = await sut.ground(user, ask([{ id: DOC }]));
    expect(out.body.messages[0]).toEqual(ask([{ id: DOC }]).messages[0]);
  });
});
