/**
 * Open WebUI's `files` on a chat completion: entries on a user message (`messages[i].files`) or at the
 * top of the form (`files`, which belong to the last user message). An entry names a file by `id`,
 * `file.id`, or a `url` of the files API (`/api/v1/files/<id>` or `.../content`); an image entry may
 * instead carry the image itself as a data URL.
 */
export type FileReference = { fileId: string } | { dataUrl: string };

type Json = Record<string, unknown>;

const FILES_API_URL = /\/api\/v1\/files\/([0-9a-fA-F-]{8,64})(?:\/content)?(?:[?#].*)?$/;
const isObject = (value: unknown): value is Json =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** One entry of a `files` array as a reference, or undefined when it names no file at all. */
export function referenceOf(entry: unknown): FileReference | undefined {
  if (!isObject(entry)) return undefined;
  const url = typeof entry.url === 'string' ? entry.url : undefined;
  if (url?.startsWith('data:image/')) return { dataUrl: url };
  const nested = isObject(entry.file) ? entry.file.id : undefined;
  for (const id of [entry.id, nested]) if (typeof id === 'string' && id) return { fileId: id };
  const fileId = url && fileIdOfUrl(url);
  return fileId ? { fileId } : undefined;
}

/** The file id in a files-API URL (absolute or not), else undefined. */
export function fileIdOfUrl(url: string): string | undefined {
  return FILES_API_URL.exec(url)?.[1];
}

/** The display name Open WebUI's entries carry (`name`, else `file.filename`). */
export function nameOf(entry: unknown): string | undefined {
  if (!isObject(entry)) return undefined;
  if (typeof entry.name === 'string' && entry.name) return entry.name;
  const file = isObject(entry.file) ? entry.file : undefined;
  return typeof file?.filename === 'string' ? file.filename : undefined;
}

/** A message's content as OpenAI parts (a string becomes one text part). */
export function contentParts(content: unknown): Json[] {
  if (Array.isArray(content)) return content.filter(isObject);
  return typeof content === 'string' && content ? [{ type: 'text', text: content }] : [];
}

/** A document's text as it goes into the prompt: cut at `maxChars`, saying how much was left out. */
export function boundedText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[… ${text.length - maxChars} more characters of this file left out]`;
}

const escapeAttribute = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The documents as one context block before the user's question (full-context mode: every file's text,
 * no retrieval), in the spirit of Open WebUI's RAG template: numbered sources that name their file.
 */
export function contextBlock(documents: Array<{ name: string; text: string }>): string {
  const sources = documents
    .map(
      (doc, i) =>
        `<source id="${i + 1}" name="${escapeAttribute(doc.name)}">\n${doc.text || '(this file has no extracted text)'}\n</source>`,
    )
    .join('\n');
  return (
    'Answer the question after the context using the files below where they help. ' +
    'Name the file you draw on; if the files do not hold the answer, say so.\n' +
    `<context>\n${sources}\n</context>\n\n`
  );
}
