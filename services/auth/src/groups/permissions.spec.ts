import { defaultPermissions } from './permissions';

const env = {
  USER_PERMISSIONS_CHAT_DELETE: true,
  USER_PERMISSIONS_CHAT_EDIT: true,
  USER_PERMISSIONS_CHAT_SHARE: true,
  USER_PERMISSIONS_CHAT_EXPORT: true,
  USER_PERMISSIONS_CHAT_FILE_UPLOAD: true,
  USER_PERMISSIONS_CHAT_TEMPORARY: true,
};

describe('defaultPermissions', () => {
  it('refuses workspace.prompts unless USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS is on (Open WebUI default)', () => {
    expect(defaultPermissions(env)['workspace.prompts']).toBe(false);
    expect(
      defaultPermissions({ ...env, USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS: true })['workspace.prompts'],
    ).toBe(true);
  });

  it('keeps the prompts switch apart from the models and knowledge ones', () => {
    const sut = defaultPermissions({ ...env, USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS: true });
    expect(sut['workspace.models']).toBe(false);
    expect(sut['workspace.knowledge']).toBe(false);
  });
});
