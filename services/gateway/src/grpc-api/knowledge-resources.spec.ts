import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { DomainError } from '@parley/errors';
import { apiV1Knowledge, retrievalV1 } from '@parley/proto';
import { searchTargets } from './knowledge.handlers';
import { knowledgeBaseInput, knowledgeBaseResource } from './knowledge-resources';

const { Visibility, IndexState } = apiV1Knowledge;
const input = (fields: MessageInitShape<typeof apiV1Knowledge.KnowledgeBaseSchema>) =>
  knowledgeBaseInput(create(apiV1Knowledge.KnowledgeBaseSchema, fields));
const problemOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
  throw new Error('no error');
};

describe('knowledge base resources', () => {
  it('makes a base private to its owner unless asked otherwise, with the groups of its rules', () => {
    expect(input({ displayName: ' Notes ' })).toEqual({
      name: 'Notes',
      description: '',
      accessControl: { read: { groupIds: [], userIds: [] }, write: { groupIds: [], userIds: [] } },
    });
    expect(
      input({
        displayName: 'Team',
        visibility: Visibility.PRIVATE,
        readerGroupIds: ['g1', 'g1'],
        writerGroupIds: ['g2'],
      }).accessControl,
    ).toEqual({ read: { groupIds: ['g1'], userIds: [] }, write: { groupIds: ['g2'], userIds: [] } });
    expect(input({ displayName: 'All', visibility: Visibility.PUBLIC })).not.toHaveProperty('accessControl');
  });

  it('names the public field in every refusal', () => {
    expect(problemOf(() => knowledgeBaseInput(undefined))).toBe('knowledge_base: is required');
    expect(problemOf(() => input({ displayName: '   ' }))).toBe('knowledge_base.display_name: is required');
    expect(problemOf(() => input({ displayName: 'x'.repeat(201) }))).toMatch(
      /^knowledge_base\.display_name: /,
    );
    expect(problemOf(() => input({ displayName: 'x', description: 'd'.repeat(10_001) }))).toMatch(
      /^knowledge_base\.description: /,
    );
    expect(problemOf(() => input({ displayName: 'x', visibility: 7 as apiV1Knowledge.Visibility }))).toMatch(
      /^knowledge_base\.visibility: /,
    );
    expect(
      problemOf(() => input({ displayName: 'x', visibility: Visibility.PUBLIC, readerGroupIds: ['g'] })),
    ).toMatch(/^knowledge_base\.visibility: group ids go with VISIBILITY_PRIVATE/);
    expect(problemOf(() => input({ displayName: 'x', writerGroupIds: ['ok', ''] }))).toBe(
      'knowledge_base.writer_group_ids[1]: is required',
    );
  });

  it('shows a retrieval base as knowledgeBases/{id} with its visibility and file states', () => {
    const base = create(retrievalV1.KnowledgeBaseSchema, {
      id: 'kb1',
      userId: 'u1',
      name: 'Notes',
      accessControl: { read: { groupIds: ['g1'], userIds: ['u9'] }, write: {} },
      fileIds: ['f1'],
      files: [
        {
          fileId: 'f1',
          fileName: 'a.txt',
          addedAt: 5n,
          status: { state: retrievalV1.IndexState.INDEXED, chunkCount: 3 },
        },
      ],
      createdAt: 1n,
      updatedAt: 2n,
      writable: true,
    });
    expect(knowledgeBaseResource(base)).toEqual({
      name: 'knowledgeBases/kb1',
      id: 'kb1',
      displayName: 'Notes',
      description: '',
      visibility: Visibility.PRIVATE,
      readerGroupIds: ['g1'],
      writerGroupIds: [],
      ownerId: 'u1',
      writable: true,
      fileIds: ['f1'],
      files: [
        { fileId: 'f1', fileName: 'a.txt', state: IndexState.INDEXED, chunkCount: 3, error: '', addTime: 5n },
      ],
      createTime: 1n,
      updateTime: 2n,
    });
    const open = create(retrievalV1.KnowledgeBaseSchema, { id: 'kb2' });
    expect(knowledgeBaseResource(open)).toMatchObject({ visibility: Visibility.PUBLIC, readerGroupIds: [] });
  });

  it('turns bases and files of a query into search targets, at least one and at most 50', () => {
    const query = (fields: MessageInitShape<typeof apiV1Knowledge.QueryRequestSchema>) =>
      searchTargets(create(apiV1Knowledge.QueryRequestSchema, fields));
    expect(query({ knowledgeBaseIds: ['kb1'], fileIds: ['f1'] })).toEqual([
      { target: { case: 'knowledgeBaseId', value: 'kb1' } },
      { target: { case: 'fileId', value: 'f1' } },
    ]);
    expect(problemOf(() => query({}))).toMatch(/^knowledge_base_ids: name at least one/);
    expect(problemOf(() => query({ fileIds: Array.from({ length: 51 }, (_, i) => `f${i}`) }))).toMatch(
      /at most 50/,
    );
    expect(problemOf(() => query({ fileIds: ['f', ''] }))).toBe('file_ids[1]: is required');
  });
});
