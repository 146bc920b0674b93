import { randomUUID } from 'node:crypto';
import type { Caller } from '@parley/grpc';
import { filesV1 } from '@parley/proto';
import { serviceCaller, userCaller } from '@parley/testing';
import { startFilesService, uploadOf, type FilesClient, type FilesHarness } from './files-service-harness';

type Who = 'owner' | 'other' | 'admin' | 'service' | 'pending' | 'none';
type Outcome = 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED';

const owner = randomUUID();
const callers: Record<Exclude<Who, 'none'>, Caller> = {
  owner: userCaller(owner),
  other: userCaller(randomUUID()),
  admin: userCaller(randomUUID(), { role: 'admin' }),
  service: serviceCaller('auth'),
  pending: userCaller(randomUUID(), { role: 'pending' }),
};

/** Every method of the contract, called on a file of `owner`, by each kind of caller. */
const table: Record<
  string,
  {
    call: (files: FilesClient, fileId: string, caller: Caller) => Promise<unknown>;
    expect: Record<Who, Outcome>;
  }
> = {
  uploadFile: {
    call: (files, _id, caller) => files.uploadFile(uploadOf(Buffer.from('x')), { caller }),
    expect: {
      owner: 'OK',
      other: 'OK',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  downloadFile: {
    call: async (files, fileId, caller) => {
      for await (const message of files.downloadFile({ fileId }, { caller })) void message;
    },
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  getFile: {
    call: (files, fileId, caller) => files.getFile({ fileId }, { caller }),
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'OK',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  listFiles: {
    call: (files, _id, caller) => files.listFiles({}, { caller }),
    expect: {
      owner: 'OK',
      other: 'OK',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  getFileContent: {
    call: (files, fileId, caller) => files.getFileContent({ fileId }, { caller }),
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'OK',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  updateFileContent: {
    call: (files, fileId, caller) => files.updateFileContent({ fileId, content: 'edited' }, { caller }),
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  getProcessStatus: {
    call: (files, fileId, caller) => files.getProcessStatus({ fileId }, { caller }),
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  deleteFile: {
    call: (files, fileId, caller) => files.deleteFile({ fileId }, { caller }),
    expect: {
      owner: 'OK',
      other: 'NOT_FOUND',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  deleteAllFiles: {
    call: (files, _id, caller) => files.deleteAllFiles({}, { caller }),
    expect: {
      owner: 'PERMISSION_DENIED',
      other: 'PERMISSION_DENIED',
      admin: 'OK',
      service: 'PERMISSION_DENIED',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
  deleteUserFiles: {
    call: (files, _id, caller) => files.deleteUserFiles({ userId: owner }, { caller }),
    expect: {
      owner: 'PERMISSION_DENIED',
      other: 'PERMISSION_DENIED',
      admin: 'PERMISSION_DENIED',
      service: 'OK',
      pending: 'PERMISSION_DENIED',
      none: 'UNAUTHENTICATED',
    },
  },
};

describe('FilesService authorization', () => {
  let harness: FilesHarness;

  beforeAll(async () => {
    harness = await startFilesService();
  });
  afterAll(() => harness.stop());

  it('has a row for every method of the contract', () => {
    expect(Object.keys(table).sort()).toEqual(filesV1.FilesService.methods.map((m) => m.localName).sort());
  });

  const rows = Object.entries(table).flatMap(([method, row]) =>
    (Object.keys(row.expect) as Who[]).map((who) => [method, who, row.expect[who]] as const),
  );

  it.each(rows)('%s by %s: %s', async (method, who, outcome) => {
    const fileId = (await harness.files.uploadFile(uploadOf(Buffer.from('owned')), { caller: callers.owner }))
      .file!.id;
    const client = who === 'none' ? harness.wrongAudience : harness.files;
    const caller = who === 'none' ? callers.owner : callers[who];
    let got: Outcome = 'OK';
    try {
      await table[method]!.call(client, fileId, caller);
    } catch (error) {
      got = (error as { kind: Outcome }).kind;
    }
    expect(got).toBe(outcome);
  });
});
