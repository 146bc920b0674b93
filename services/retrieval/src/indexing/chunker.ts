import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { getEncoding, type Tiktoken } from 'js-tiktoken';

export interface ChunkingOptions {
  /** In characters (`character`) or tokens (`token`, cl100k_base). */
  chunkSize: number;
  chunkOverlap: number;
  splitter: 'character' | 'token';
}

export interface TextChunk {
  position: number;
  text: string;
  /** 1-based PDF page; 0 when the text is not paged. */
  page: number;
  /** The Markdown headings above the chunk, outermost first, joined by " > ". */
  heading: string;
}

let encoding: Tiktoken | undefined;
/** Tokens as OpenAI's cl100k_base counts them (loaded on first use). */
export function tokenCount(text: string): number {
  encoding ??= getEncoding('cl100k_base');
  return encoding.encode(text, [], []).length;
}

const PAGE_MARK = /^--- page (\d+) ---$/;
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

interface Section {
  page: number;
  heading: string;
  text: string;
}

/**
 * A document's text as sections: PDF pages (the files service marks them `--- page N ---`) and,
 * inside them, Markdown headings, so every chunk knows its page and the headings it sits under.
 */
export function sectionsOf(text: string): Section[] {
  const sections: Section[] = [];
  const headings: string[] = [];
  let page = 0;
  let lines: string[] = [];
  const flush = () => {
    const body = lines.join('\n').trim();
    if (body) sections.push({ page, heading: headings.filter(Boolean).join(' > '), text: body });
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const pageMark = PAGE_MARK.exec(line.trim());
    if (pageMark) {
      flush();
      page = Number(pageMark[1]);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      headings.length = level;
      headings[level - 1] = heading[2]!;
    }
    lines.push(line);
  }
  flush();
  return sections;
}

/**
 * Splits a document into overlapping chunks with LangChain's recursive splitter (paragraphs, then
 * lines, then words), sizes counted in characters or tokens, inside the page and heading sections.
 */
export async function chunkText(text: string, options: ChunkingOptions): Promise<TextChunk[]> {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize,
    chunkOverlap: Math.min(options.chunkOverlap, Math.floor(options.chunkSize / 2)),
    lengthFunction: options.splitter === 'token' ? tokenCount : (s: string) => s.length,
  });
  const chunks: TextChunk[] = [];
  for (const section of sectionsOf(text)) {
    for (const piece of await splitter.splitText(section.text)) {
      const trimmed = piece.trim();
      if (trimmed)
        chunks.push({ position: chunks.length, text: trimmed, page: section.page, heading: section.heading });
    }
  }
  return chunks;
}

/** What is embedded for a chunk: its headings give it context the passage alone may not say. */
export function embeddingInput(chunk: Pick<TextChunk, 'text' | 'heading'>): string {
  return chunk.heading ? `${chunk.heading}\n\n${chunk.text}` : chunk.text;
}
