import { join } from 'node:path';
import { parseConfig } from '@parley/config';
import { filesConfigSchema, uploadDirOf } from '../files.config';

const base = { CALLER_ASSERTION_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db' };

describe('where local uploads go', () => {
  it('is UPLOAD_DIR when set', () => {
    expect(
      uploadDirOf(parseConfig(filesConfigSchema, { ...base, UPLOAD_DIR: '/srv/up', DATA_DIR: '/d' })),
    ).toBe('/srv/up');
  });

  it("is DATA_DIR/uploads otherwise (Open WebUI's layout), ./.data/uploads with neither", () => {
    expect(uploadDirOf(parseConfig(filesConfigSchema, { ...base, DATA_DIR: '/app/backend/data' }))).toBe(
      join('/app/backend/data', 'uploads'),
    );
    expect(uploadDirOf(parseConfig(filesConfigSchema, base))).toBe(join('.data', 'uploads'));
  });
});
