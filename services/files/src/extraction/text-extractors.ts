import type { Readable } from 'node:stream';
import { DomainError, ErrorKind } from '@parley/errors';
import { XMLParser } from 'fast-xml-parser';
import { convert as htmlToText } from 'html-to-text';
import JSZip from 'jszip';
import { extensionOf } from '../files/file-names';

export interface ExtractionLimits {
  maxChars: number;
  /** Binary documents are parsed in memory: refuse larger ones. */
  maxInputBytes: number;
}

export interface ExtractedText {
  text: string;
  /** PDFs only. */
  pageCount: number | null;
}

type Kind = 'text' | 'html' | 'pdf' | 'docx' | 'xlsx' | 'pptx';

const KIND_BY_TYPE: Array<[RegExp, Kind]> = [
  [/^application\/pdf$/, 'pdf'],
  [/^application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.document$/, 'docx'],
  [/^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet$/, 'xlsx'],
  [/^application\/vnd\.openxmlformats-officedocument\.presentationml\.presentation$/, 'pptx'],
  [/^(text\/html|application\/xhtml\+xml)$/, 'html'],
  [/^(text\/|application\/(json|xml|yaml)$|image\/svg\+xml$)/, 'text'],
];

/** Which extractor a stored file gets; undefined: no text in it (an image, an archive). */
export function extractorKindOf(contentType: string, filename: string): Kind | undefined {
  for (const [pattern, kind] of KIND_BY_TYPE) if (pattern.test(contentType)) return kind;
  // A zip the sniffer could not place (some writers order the entries differently): trust the extension.
  if (contentType === 'application/zip') {
    const ext = extensionOf(filename);
    if (ext === 'docx' || ext === 'xlsx' || ext === 'pptx') return ext;
  }
  return undefined;
}

export function unsupported(contentType: string): DomainError {
  return new DomainError(ErrorKind.InvalidArgument, `File type ${contentType} has no text to extract.`, {
    code: 'EXTRACTION_UNSUPPORTED',
  });
}

/**
 * The text of a stored file. Text formats are decoded as they stream and stop at maxChars; documents are
 * read whole (up to maxInputBytes) by their parser. PDF pages are marked `--- page N ---`, so page
 * numbers survive for citations.
 */
export async function extractText(
  body: Readable,
  kind: Kind,
  limits: ExtractionLimits,
  signal: AbortSignal,
): Promise<ExtractedText> {
  if (kind === 'text') return { text: await readText(body, limits.maxChars, signal), pageCount: null };
  if (kind === 'html') {
    // HTML is bounded like text first, so the converter never sees more than the limit allows.
    const html = await readText(body, limits.maxChars * 4, signal);
    return { text: cap(htmlToText(html, { wordwrap: false }), limits.maxChars), pageCount: null };
  }
  const bytes = await readAll(body, limits.maxInputBytes, signal);
  switch (kind) {
    case 'pdf':
      return pdfText(bytes, limits.maxChars);
    case 'docx': {
      const mammoth = await import('mammoth');
      const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
      return { text: cap(value.trim(), limits.maxChars), pageCount: null };
    }
    case 'xlsx':
      return { text: cap(await xlsxText(bytes), limits.maxChars), pageCount: null };
    case 'pptx':
      return { text: cap(await pptxText(bytes), limits.maxChars), pageCount: null };
  }
}

async function pdfText(bytes: Uint8Array, maxChars: number): Promise<ExtractedText> {
  const { extractText: pdfPages, getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(bytes, { verbosity: 0 });
  const { totalPages, text } = await pdfPages(pdf, { mergePages: false });
  const pages = text.map((page, i) => `--- page ${i + 1} ---\n${page.trim()}`);
  return { text: cap(pages.join('\n\n'), maxChars), pageCount: totalPages };
}

async function xlsxText(bytes: Uint8Array): Promise<string> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as never);
  const sheets: string[] = [];
  workbook.eachSheet((sheet) => {
    const rows: string[] = [`## ${sheet.name}`];
    sheet.eachRow((row) => {
      const cells = (row.values as unknown[]).slice(1).map((cell) => cellText(cell));
      rows.push(cells.join('\t'));
    });
    sheets.push(rows.join('\n'));
  });
  return sheets.join('\n\n');
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'object') return String(cell);
  if (cell instanceof Date) return cell.toISOString();
  const value = cell as { text?: string; result?: unknown; richText?: Array<{ text: string }> };
  if (value.richText) return value.richText.map((part) => part.text).join('');
  if (value.text !== undefined) return value.text;
  if (value.result !== undefined) return String(value.result);
  return '';
}

async function pptxText(bytes: Uint8Array): Promise<string> {
  const zip = await JSZip.loadAsync(bytes);
  const slides = Object.keys(zip.files)
    .map((name) => ({ name, n: Number(/^ppt\/slides\/slide(\d+)\.xml$/.exec(name)?.[1]) }))
    .filter((slide) => Number.isFinite(slide.n))
    .sort((a, b) => a.n - b.n);
  const parser = new XMLParser({ ignoreAttributes: true, preserveOrder: false });
  const texts: string[] = [];
  for (const slide of slides) {
    const xml = await zip.file(slide.name)!.async('string');
    const words: string[] = [];
    collect(parser.parse(xml), words);
    texts.push(`--- slide ${slide.n} ---\n${words.join(' ')}`);
  }
  return texts.join('\n\n');
}

/** Every `a:t` (DrawingML text run) under a node, in document order. */
function collect(node: unknown, into: string[]): void {
  if (node === null || typeof node !== 'object') return;
  for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'a:t') {
      for (const text of Array.isArray(child) ? child : [child])
        if (typeof text === 'string' || typeof text === 'number') into.push(String(text));
    } else if (Array.isArray(child)) child.forEach((item) => collect(item, into));
    else collect(child, into);
  }
}

function cap(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n[text cut at ${maxChars} characters]`;
}

async function readText(body: Readable, maxChars: number, signal: AbortSignal): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for await (const chunk of body) {
    signal.throwIfAborted();
    text += decoder.decode(chunk as Buffer, { stream: true });
    if (text.length > maxChars) {
      body.destroy();
      return cap(text, maxChars);
    }
  }
  return (text + decoder.decode()).replace(/^\uFEFF/, '');
}

async function readAll(body: Readable, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    signal.throwIfAborted();
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new DomainError(
        ErrorKind.PayloadTooLarge,
        `The document is larger than ${maxBytes / (1024 * 1024)} MB (FILES_MAX_EXTRACTION_INPUT_MB) and is not extracted.`,
        { code: 'EXTRACTION_INPUT_TOO_LARGE' },
      );
    }
    parts.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(parts));
}
