import { Readable } from 'node:stream';
import { docxWithParagraphs, pdfWithPages, pptxWithSlides, xlsxWithRows } from '@parley/testing';
import { sniffContentType } from '../files/content-type';
import { extractorKindOf, extractText } from './text-extractors';

const limits = { maxChars: 10_000, maxInputBytes: 10 * 1024 * 1024 };

/** Sniffs the bytes as an upload would, then extracts with the extractor that type gets. */
async function textOf(bytes: Buffer, filename: string, max = limits) {
  const type = await sniffContentType(bytes.subarray(0, 64 * 1024), filename);
  const kind = extractorKindOf(type, filename);
  if (!kind) throw new Error(`no extractor for ${type}`);
  return { type, ...(await extractText(Readable.from([bytes]), kind, max, new AbortController().signal)) };
}

// PDF parsing loads pdf.js on first use: seconds on a busy 2-core machine.
jest.setTimeout(30_000);

describe('text extractors', () => {
  it('keeps PDF page numbers', async () => {
    const sut = await textOf(await pdfWithPages(['Alpha page', 'Beta page']), 'report.pdf');
    expect(sut.type).toBe('application/pdf');
    expect(sut.pageCount).toBe(2);
    expect(sut.text).toBe('--- page 1 ---\nAlpha page\n\n--- page 2 ---\nBeta page');
  });

  it('reads DOCX paragraphs', async () => {
    const sut = await textOf(await docxWithParagraphs(['First line', 'Second line']), 'notes.docx');
    expect(sut.text).toBe('First line\n\nSecond line');
  });

  it('reads XLSX sheets row by row', async () => {
    const sut = await textOf(
      await xlsxWithRows('Budget', [
        ['item', 'cost'],
        ['tea', 3],
      ]),
      'b.xlsx',
    );
    expect(sut.text).toBe('## Budget\nitem\tcost\ntea\t3');
  });

  it('reads PPTX slides in order', async () => {
    const sut = await textOf(await pptxWithSlides(['Intro', 'Outro']), 'deck.pptx');
    expect(sut.text).toBe('--- slide 1 ---\nIntro\n\n--- slide 2 ---\nOutro');
  });

  it('turns HTML into text without markup', async () => {
    const sut = await textOf(
      Buffer.from('<html><body><h1>Title</h1><p>Body <b>bold</b></p><script>x()</script></body></html>'),
      'a.html',
    );
    expect(sut.type).toBe('text/html');
    expect(sut.text).toContain('Body bold');
    expect(sut.text).not.toContain('<');
  });

  it.each([
    ['notes.md', '# Heading\n- item', 'text/markdown'],
    ['data.csv', 'a,b\n1,2', 'text/csv'],
    ['data.json', '{"a":1}', 'application/json'],
    ['plain.txt', 'héllo wörld', 'text/plain'],
  ])('reads %s as text', async (name, body, type) => {
    const sut = await textOf(Buffer.from(body), name);
    expect(sut).toEqual({ type, text: body, pageCount: null });
  });

  it('cuts text at the character limit and says so', async () => {
    const sut = await textOf(Buffer.from('x'.repeat(5_000)), 'big.txt', { ...limits, maxChars: 1_000 });
    expect(sut.text).toBe(`${'x'.repeat(1_000)}\n[text cut at 1000 characters]`);
  });

  it('refuses a document over the input limit', async () => {
    const pdf = await pdfWithPages(['x']);
    await expect(textOf(pdf, 'a.pdf', { ...limits, maxInputBytes: 100 })).rejects.toMatchObject({
      code: 'EXTRACTION_INPUT_TOO_LARGE',
    });
  });
});
