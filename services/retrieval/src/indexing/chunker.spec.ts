import { chunkText, embeddingInput, sectionsOf, tokenCount } from './chunker';

describe('chunking', () => {
  it('keeps PDF pages and Markdown headings as each section’s context', () => {
    const text = [
      '--- page 1 ---',
      '# Guide',
      'Intro.',
      '## Setup',
      'Install it.',
      '--- page 2 ---',
      '### Details',
      'Deep text.',
    ].join('\n');
    expect(sectionsOf(text)).toEqual([
      { page: 1, heading: 'Guide', text: '# Guide\nIntro.' },
      { page: 1, heading: 'Guide > Setup', text: '## Setup\nInstall it.' },
      { page: 2, heading: 'Guide > Setup > Details', text: '### Details\nDeep text.' },
    ]);
  });

  it('splits by characters within the size, overlapping, numbering positions in order', async () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const chunks = await chunkText(words, { chunkSize: 100, chunkOverlap: 20, splitter: 'character' });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.every((c) => c.text.length <= 100)).toBe(true);
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
    // Overlap: each chunk starts with words the previous one ended with.
    const [first, second] = chunks;
    expect(first!.text.split(' ').slice(-1)[0]).toBe(
      second!.text.split(' ').find((w) => first!.text.endsWith(w)),
    );
  });

  it('counts tokens with cl100k_base for the token splitter', async () => {
    expect(tokenCount('hello world')).toBe(2);
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    const chunks = await chunkText(text, { chunkSize: 30, chunkOverlap: 5, splitter: 'token' });
    expect(chunks.every((c) => tokenCount(c.text) <= 30)).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('embeds a chunk with its headings in front', () => {
    expect(embeddingInput({ heading: 'Guide > Setup', text: 'Install it.' })).toBe(
      'Guide > Setup\n\nInstall it.',
    );
    expect(embeddingInput({ heading: '', text: 'Plain.' })).toBe('Plain.');
  });
});
