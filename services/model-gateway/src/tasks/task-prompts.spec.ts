import { DEFAULT_TEMPLATES, renderTemplate } from './task-prompts';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'first question' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'first answer' },
      { type: 'image_url', image_url: {} },
    ],
  },
  { role: 'user', content: 'second question' },
];
const now = new Date('2026-12-06T10:00:00Z');

describe('task prompts', () => {
  it("fill in Open WebUI's placeholders: the last n messages, all of them, the typed text, type and date", () => {
    expect(renderTemplate('{{MESSAGES:END:2}}', { messages, now })).toBe(
      'ASSISTANT: first answer\n\nUSER: second question',
    );
    expect(renderTemplate('{{MESSAGES:START:1}}|{{MESSAGES}}', { messages, now })).toBe(
      '|USER: first question\n\nASSISTANT: first answer\n\nUSER: second question',
    );
    expect(
      renderTemplate('{{prompt:middletruncate:8000}} in {{TYPE}} on {{CURRENT_DATE}}', {
        messages,
        prompt: 'Plan a',
        type: 'search',
        now,
      }),
    ).toBe('Plan a in search on 2026-12-06');
  });

  it('never lets a message inject a placeholder: what is filled in is not read again', () => {
    const sneaky = [{ role: 'user', content: '{{CURRENT_DATE}} {{prompt}}' }];
    expect(renderTemplate('{{MESSAGES}}', { messages: sneaky, prompt: 'secret', now })).toBe(
      'USER: {{CURRENT_DATE}} {{prompt}}',
    );
  });

  it('ask for the JSON each task answers with', () => {
    expect(DEFAULT_TEMPLATES.title).toContain('{"title": "..."}');
    expect(DEFAULT_TEMPLATES.tags).toContain('{"tags": [');
    expect(DEFAULT_TEMPLATES.followUps).toContain('{"follow_ups": [');
    expect(DEFAULT_TEMPLATES.queries).toContain('{"queries": [');
    expect(DEFAULT_TEMPLATES.autocomplete).toContain('{"text": "..."}');
  });
});
