import { readChunk } from './chat-task.runner';
import { cleanTitle } from './title-generator';

describe('cleanTitle', () => {
  it.each([
    ['"Planning a Trip to Lisbon"', 'Planning a Trip to Lisbon'],
    ['Title: Sorting Arrays in Rust.', 'Sorting Arrays in Rust'],
    ['Here is some code:', 'Here is some code'],
    ['Knead the dough for **ten minutes**', 'Knead the dough for ten minutes'],
    ['Using `snake_case` names', 'Using snake_case names'],
    ['Why is the sky blue?', 'Why is the sky blue?'],
    ['<think>hmm</think>\n\n**Weekly Meal Prep**\nmore text', 'Weekly Meal Prep'],
    ['   ', ''],
  ])('%j becomes %j', (raw, title) => expect(cleanTitle(raw)).toBe(title));

  it('cuts a long title to 80 characters', () => {
    const title = cleanTitle('word '.repeat(40));
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title.endsWith('…')).toBe(true);
  });
});

describe('readChunk', () => {
  it('reads the text and the usage of an OpenAI chunk', () => {
    expect(readChunk('{"choices":[{"delta":{"content":"Hi"}}]}')).toEqual({ text: 'Hi', usage: undefined });
    expect(readChunk('{"choices":[],"usage":{"prompt_tokens":3}}')).toEqual({
      text: '',
      usage: { prompt_tokens: 3 },
    });
    expect(readChunk('not json')).toEqual({ text: '' });
  });
});
