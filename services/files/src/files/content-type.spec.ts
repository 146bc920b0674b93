import { sniffContentType } from './content-type';
import { extensionOf, sanitizeFilename } from './file-names';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('sniffContentType', () => {
  it('trusts the bytes, not the name', async () => {
    expect(await sniffContentType(PNG, 'photo.txt')).toBe('image/png');
    expect(await sniffContentType(Buffer.from('%PDF-1.7\n'), 'x.docx')).toBe('application/pdf');
  });

  it('keeps HTML and SVG as what they are, so they are never served inline', async () => {
    expect(await sniffContentType(Buffer.from('<script>alert(1)</script>'), 'page.html')).toBe('text/html');
    expect(await sniffContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.svg')).toBe(
      'image/svg+xml',
    );
  });

  it('falls back to text/plain for text, octet-stream for binary', async () => {
    expect(await sniffContentType(Buffer.from('just words'), 'no-extension')).toBe('text/plain');
    expect(await sniffContentType(Buffer.from([1, 2, 0, 3, 250]), 'blob.txt')).toBe(
      'application/octet-stream',
    );
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['evil\u202Efdp.exe', 'evilfdp.exe'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['..', 'file'],
    ['', 'file'],
  ])('%j becomes %j', (raw, safe) => expect(sanitizeFilename(raw)).toBe(safe));

  it('keeps the extension when it cuts a long name', () => {
    const name = sanitizeFilename(`${'a'.repeat(400)}.pdf`);
    expect(name).toHaveLength(255);
    expect(extensionOf(name)).toBe('pdf');
  });
});
