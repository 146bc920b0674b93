import { describe, expect, it } from 'vitest';
import { formatSize, readMessageFiles } from './message-files';

describe('readMessageFiles', () => {
  it('reads Open WebUI file items and skips what it cannot show', () => {
    const files = readMessageFiles({
      files: [
        {
          type: 'image',
          id: 'f-1',
          url: '/api/v1/files/f-1',
          name: 'cat.png',
          size: 5,
          content_type: 'image/png',
        },
        { type: 'file', id: 'f-2', name: 'a.pdf' },
        { type: 'image', url: 'data:image/png;base64,AAAA' },
        'junk',
      ],
    });
    expect(files).toEqual([
      {
        type: 'image',
        id: 'f-1',
        url: '/api/v1/files/f-1',
        name: 'cat.png',
        size: 5,
        status: 'uploaded',
        content_type: 'image/png',
      },
      { type: 'file', id: 'f-2', url: '', name: 'a.pdf', size: 0, status: 'uploaded' },
    ]);
  });

  it('is empty for a message without files', () => {
    expect(readMessageFiles({ content: 'hi' })).toEqual([]);
  });
});

describe('formatSize', () => {
  it('uses powers of 1024 and the locale', () => {
    expect(formatSize(512, 'en')).toBe('512 byte');
    expect(formatSize(1536, 'en')).toBe('1.5 kB');
    expect(formatSize(1536, 'de')).toBe('1,5 kB');
    expect(formatSize(25 * 1024 * 1024, 'en')).toBe('25 MB');
  });
});
