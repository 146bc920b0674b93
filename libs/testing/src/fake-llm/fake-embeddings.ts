/**
 * The fake upstream's embeddings and reranking: deterministic, dependency-free, and meaningful enough
 * that retrieval can be tested for real. A text's vector is a hashed bag of its words, so texts that
 * share words are close by cosine and the chunk nearest to a question is the one with the question's
 * words; the reranker scores by the share of the query's words a document contains.
 */

/** The dimension of a model whose name does not end in `-<digits>`. */
export const DEFAULT_EMBEDDING_DIMENSION = 384;
/** pgvector's limit for a `vector` column. */
export const MAX_EMBEDDING_DIMENSION = 16_000;

/*
 * Words that say nothing about a passage. Without them a question ("what is the ...") would be close to
 * every chunk full of "the" and "is"; PostgreSQL's english text search drops them for the same reason.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by do does for from has have how i if in into is it its me my no not of ' +
    'on or our so than that the their them then there these they this to was we were what when where ' +
    'which who why will with you your'
  ).split(' '),
);

/** Lowercased word tokens (letters and digits, any script), stop words left out. */
export function fakeEmbeddingWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

/** `fake-embed-768` → 768; a name without a `-<digits>` ending → 384. */
export function fakeEmbeddingDimension(model: string): number {
  const suffix = /-(\d+)$/.exec(model);
  return suffix ? Number(suffix[1]) : DEFAULT_EMBEDDING_DIMENSION;
}

/**
 * The vector of `text` in `dimension` dimensions: every word hashed (FNV-1a) into one dimension with a
 * sign taken from the hash's top bit, counts summed, the whole L2-normalised. A text with no words at
 * all gets the unit vector of dimension 0, never a zero vector (its cosine distance would be NaN).
 */
export function fakeEmbedding(text: string, dimension = DEFAULT_EMBEDDING_DIMENSION): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const word of fakeEmbeddingWords(text)) {
    const hash = fnv1a(word);
    vector[hash % dimension]! += hash >>> 31 ? -1 : 1;
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((value) => value / norm);
}

/** OpenAI's `encoding_format: "base64"`: the float32 values, little-endian, base64-encoded. */
export function embeddingToBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/** The inverse of embeddingToBase64, for tests and clients. */
export function embeddingFromBase64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

/**
 * The reranker's scores, best first: the share (0..1) of the query's distinct words that a document
 * contains; ties keep the documents' order.
 */
export function fakeRerank(
  query: string,
  documents: string[],
): Array<{ index: number; relevance_score: number }> {
  const wanted = new Set(fakeEmbeddingWords(query));
  return documents
    .map((document, index) => {
      if (wanted.size === 0) return { index, relevance_score: 0 };
      const present = new Set(fakeEmbeddingWords(document));
      let shared = 0;
      for (const word of wanted) if (present.has(word)) shared++;
      return { index, relevance_score: shared / wanted.size };
    })
    .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
}

/** 32-bit FNV-1a over the word's UTF-8 bytes. */
function fnv1a(word: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(word, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
