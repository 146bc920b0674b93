import { normalizeCommand, PromptInput, validatePromptInput } from './prompt';

const input = (over: Partial<PromptInput> = {}): PromptInput => ({
  command: '/summarize',
  title: 'Summarize',
  content: 'Summarize this: {{CLIPBOARD}}',
  accessControl: null,
  ...over,
});

describe('normalizeCommand', () => {
  it.each([
    ['summarize', '/summarize'],
    ['/summarize', '/summarize'],
    [' /summarize ', '/summarize'],
  ])('stores %j as %j', (given, stored) => expect(normalizeCommand(given)).toBe(stored));
});

describe('validatePromptInput', () => {
  it.each([
    [{ command: '/' }, /command must be/],
    [{ command: '/has space' }, /command must be/],
    [{ command: '/a/b' }, /command must be/],
    [{ command: `/${'x'.repeat(129)}` }, /command must be/],
    [{ title: ' ' }, /title is required/],
    [{ title: 'x'.repeat(201) }, /title must be at most/],
    [{ content: '' }, /content is required/],
  ])('rejects %j', (over, message) => {
    expect(() => validatePromptInput(input(over as Partial<PromptInput>))).toThrow(message);
  });

  it('rejects an access rule naming more than 5000 groups', () => {
    const many = Array.from({ length: 5001 }, (_, i) => `g${i}`);
    const accessControl = { read: { group_ids: many, user_ids: [] }, write: { group_ids: [], user_ids: [] } };
    expect(() => validatePromptInput(input({ accessControl }))).toThrow(/at most 5000/);
  });

  it('accepts a complete prompt', () => {
    expect(() => validatePromptInput(input({ command: '/summarize-v2.1_x' }))).not.toThrow();
  });
});
