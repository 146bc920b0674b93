import { canRead, canWrite, toAccessControl } from './access-control';

describe('preset access control', () => {
  const owner = { userId: 'owner', role: 'user' };
  const stranger = { userId: 'stranger', role: 'user', groupIds: ['g-other'] };
  const member = { userId: 'member', role: 'user', groupIds: ['g-readers'] };
  const editor = { userId: 'editor', role: 'user', groupIds: ['g-editors'] };
  const admin = { userId: 'root', role: 'admin' };
  const restricted = {
    userId: 'owner',
    accessControl: toAccessControl({
      read: { group_ids: ['g-readers'] },
      write: { group_ids: ['g-editors'] },
    }),
  };

  it('lets everyone read a public preset but only its owner and admins write it', () => {
    const sut = { userId: 'owner', accessControl: null };
    expect(canRead(stranger, sut, false)).toBe(true);
    expect(canWrite(stranger, sut)).toBe(false);
    expect(canWrite(owner, sut)).toBe(true);
    expect(canWrite(admin, sut)).toBe(true);
  });

  it('keeps a private preset to its owner and admins', () => {
    const sut = { userId: 'owner', accessControl: toAccessControl({}) };
    expect(canRead(owner, sut, false)).toBe(true);
    expect(canRead(admin, sut, false)).toBe(true);
    expect(canRead(stranger, sut, false)).toBe(false);
  });

  it('grants read to read groups, and read and write to write groups', () => {
    expect(canRead(member, restricted, false)).toBe(true);
    expect(canWrite(member, restricted)).toBe(false);
    expect(canRead(editor, restricted, false)).toBe(true);
    expect(canWrite(editor, restricted)).toBe(true);
    expect(canRead(stranger, restricted, false)).toBe(false);
  });

  it('lets every user read everything with BYPASS_MODEL_ACCESS_CONTROL, without granting write', () => {
    expect(canRead(stranger, restricted, true)).toBe(true);
    expect(canWrite(stranger, restricted)).toBe(false);
  });

  it('grants read to a listed user id', () => {
    const sut = { userId: 'owner', accessControl: toAccessControl({ read: { user_ids: ['stranger'] } }) };
    expect(canRead(stranger, sut, false)).toBe(true);
  });
});
