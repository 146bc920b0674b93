// An answer's `sources` (Open WebUI's shape, docs/retrieval.md), read into the citations the app shows.
// They arrive as free JSON (a ListValue on the first delta, a field of the saved message), so every
// field is checked here and an item of another shape is skipped rather than trusted.

/** One cited passage. `number` is what the answer writes as [n]: the documents of `sources`, in order. */
export interface Citation {
  number: number;
  text: string;
  fileId: string;
  fileName: string;
  /** 1-based; absent when the source is not paged. */
  page?: number;
  heading?: string;
  score?: number;
  /** The knowledge base the passage was found through, when it was. */
  knowledgeBase?: { id: string; name: string };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A message's or a delta's `sources`, flattened to numbered citations; anything else gives none. */
export function readCitations(sources: unknown): Citation[] {
  if (!Array.isArray(sources)) return [];
  const citations: Citation[] = [];
  for (const item of sources) {
    if (!isObject(item)) continue;
    const source = isObject(item['source']) ? item['source'] : {};
    const documents = Array.isArray(item['document']) ? item['document'] : [];
    const metadata = Array.isArray(item['metadata']) ? item['metadata'] : [];
    const distances = Array.isArray(item['distances']) ? item['distances'] : [];
    const collection =
      source['type'] === 'collection' && text(source['id'])
        ? { id: source['id'] as string, name: text(source['name']) ?? '' }
        : undefined;
    documents.forEach((document, i) => {
      // The number counts every document, shown or not, so [n] in the text keeps pointing at its own.
      const number = citations.length + 1;
      const meta = isObject(metadata[i]) ? metadata[i] : {};
      const page = meta['page'];
      const heading = text(meta['heading']);
      const score = typeof meta['score'] === 'number' ? meta['score'] : distances[i];
      const kbId = text(meta['knowledge_base_id']) ?? collection?.id;
      const fileName = text(meta['name']) ?? text(meta['source']) ?? text(source['name']) ?? '';
      citations.push({
        number,
        text: typeof document === 'string' ? document : '',
        fileId: text(meta['file_id']) ?? (source['type'] === 'file' ? (text(source['id']) ?? '') : ''),
        fileName,
        ...(typeof page === 'number' && Number.isInteger(page) && page > 0 ? { page } : {}),
        ...(heading ? { heading } : {}),
        ...(typeof score === 'number' && Number.isFinite(score) ? { score } : {}),
        ...(kbId
          ? { knowledgeBase: { id: kbId, name: collection?.id === kbId ? collection.name : '' } }
          : {}),
      });
    });
  }
  return citations;
}
