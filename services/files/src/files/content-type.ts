import { fileTypeFromBuffer } from 'file-type/core';
import { extensionOf } from './file-names';

/** How many leading bytes the sniffer sees (zip-based formats need their first entries). */
export const SNIFF_BYTES = 64 * 1024;

const TEXT_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

/**
 * The type of an upload from its bytes, never from what the client said: a recognised signature wins;
 * bytes without one that read as text get the type their extension names (HTML stays HTML, so it is
 * served as an attachment), else text/plain; anything else is application/octet-stream.
 */
export async function sniffContentType(head: Uint8Array, filename: string): Promise<string> {
  const sniffed = await fileTypeFromBuffer(head).catch(() => undefined);
  if (sniffed) return sniffed.mime;
  if (!looksLikeText(head)) return 'application/octet-stream';
  return TEXT_BY_EXTENSION[extensionOf(filename)] ?? 'text/plain';
}

/** No NUL bytes and mostly printable: text in UTF-8 or a single-byte encoding (as Open WebUI decides). */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte < 9 || (byte > 13 && byte < 32)) control++;
  }
  return control / head.length < 0.02;
}
