import type { RevocationList, RevocationMessage } from '@parley/auth-guard';
import { createLogger } from '@parley/logging';
import type { DownstreamClients } from '../downstream/downstream-clients';
import { GroupMembership } from './group-membership';

describe('GroupMembership', () => {
  let groups: Array<{ id: string; userIds: string[] }>;
  let calls: number;
  let fail: boolean;
  let listener: (message: RevocationMessage) => void;
  const downstream = {
    auth: {
      listGroups: async () => {
        calls++;
        if (fail) throw new Error('auth is down');
        return { groups };
      },
    },
  } as unknown as DownstreamClients;
  const revocations = { onMessage: (fn: typeof listener) => (listener = fn) } as unknown as RevocationList;
  let sut: GroupMembership;

  beforeEach(() => {
    groups = [
      { id: 'g1', userIds: ['u1', 'u2'] },
      { id: 'g2', userIds: ['u1'] },
    ];
    calls = 0;
    fail = false;
    sut = new GroupMembership(downstream, revocations, createLogger({ service: 'test', level: 'silent' }));
  });

  it('answers every user from one cached group list', async () => {
    expect(await sut.of('u1')).toEqual(['g1', 'g2']);
    expect(await sut.of('u2')).toEqual(['g1']);
    expect(await sut.of('nobody')).toEqual([]);
    expect(calls).toBe(1);
  });

  it('reloads after a permissions change is announced', async () => {
    await sut.of('u2');
    groups = [{ id: 'g3', userIds: ['u2'] }];
    listener({ v: 1, kind: 'permissions' } as RevocationMessage);
    expect(await sut.of('u2')).toEqual(['g3']);
    expect(calls).toBe(2);
  });

  it('keeps the last answer when the auth service fails, and no groups once a change voided it', async () => {
    fail = true;
    expect(await sut.of('u1')).toEqual([]);
    fail = false;
    expect(await sut.of('u1')).toEqual(['g1', 'g2']);
    const later = Date.now() + 11_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    fail = true;
    expect(await sut.of('u1')).toEqual(['g1', 'g2']); // expired, but the best there is
    listener({ v: 1, kind: 'permissions' } as RevocationMessage);
    expect(await sut.of('u1')).toEqual([]);
    jest.restoreAllMocks();
  });
});
