import { flattenPermissions, nestPermissions, permissionsInput } from './permissions-json';

describe('permissions at the edge', () => {
  it("nests Parley's flat flags in Open WebUI's shape", () => {
    expect(
      nestPermissions({ 'chat.delete': true, 'chat.share': false, 'workspace.models': true, 'a.b.c': true }),
    ).toEqual({
      chat: { delete: true, share: false },
      workspace: { models: true },
      a: { b: { c: true } },
    });
    expect(nestPermissions({})).toEqual({});
  });

  it("reads Open WebUI's nested shape, flat names and a mix of both into flat flags", () => {
    const problems: string[] = [];
    const flat = flattenPermissions(
      { chat: { delete: true, share: false }, 'workspace.models': true, features: {} },
      (path, message) => problems.push(`${path.join('.')} ${message}`),
    );
    expect(flat).toEqual({ 'chat.delete': true, 'chat.share': false, 'workspace.models': true });
    expect(problems).toEqual([]);
  });

  it('names every leaf that is not true or false, with its full path', () => {
    const parsed = permissionsInput.safeParse({ chat: { delete: 'yes' }, workspace: [true], ok: true });
    expect(parsed.success).toBe(false);
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'chat.delete: must be true or false (or an object of them, as Open WebUI nests them)',
      'workspace: must be true or false (or an object of them, as Open WebUI nests them)',
    ]);
  });

  it('refuses nesting deeper than any permission name goes', () => {
    const parsed = permissionsInput.safeParse({ a: { b: { c: { d: { e: true } } } } });
    expect(parsed.success).toBe(false);
  });

  it('keeps prototype names out both ways: refused when sent, left out when answered', () => {
    const body = JSON.parse('{"__proto__": {"admin": true}, "chat": {"__proto__": true}}') as Record<
      string,
      unknown
    >;
    const parsed = permissionsInput.safeParse(body);
    expect(parsed.success).toBe(false);
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    // A top-level `__proto__` never reaches the walk (the record's copy drops it); a nested one is named.
    expect(issues).toEqual(['chat.__proto__: is not a permission name']);

    const nested = nestPermissions({ '__proto__.admin': true, 'chat.__proto__': true, 'chat.delete': true });
    expect(nested).toEqual({ chat: { delete: true } });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.getPrototypeOf(nested.chat)).toBe(Object.prototype);
  });

  it('round-trips: what it answers nested it accepts back', () => {
    const flat = { 'chat.delete': true, 'workspace.knowledge': false };
    expect(permissionsInput.parse(nestPermissions(flat))).toEqual(flat);
  });
});
