/**
 * The prompts of the conversation tasks. An admin's template (Open WebUI's *_PROMPT_TEMPLATE) may use
 * Open WebUI's placeholders: {{MESSAGES:END:n}} (the last n messages), {{MESSAGES}} (all), {{prompt}}
 * (the text being typed), {{TYPE}} (where it is typed), {{CURRENT_DATE}}.
 */
export const DEFAULT_TEMPLATES = {
  title: `Give the conversation below a short title of three to six words, in the conversation's language,
that says what it is about. Answer with JSON only, in this form: {"title": "..."}

{{MESSAGES:END:2}}`,
  tags: `Give the conversation below one to three broad topic tags and up to three more specific ones, in the
conversation's language (for example "Science", "Cooking", "Travel planning"). Answer with JSON only, in
this form: {"tags": ["...", "..."]}

{{MESSAGES:END:6}}`,
  followUps: `Suggest three to five short questions the user might ask next, from the user's point of view and in
the conversation's language, each following on from the last answer. Answer with JSON only, in this
form: {"follow_ups": ["...", "..."]}

{{MESSAGES:END:6}}`,
  queries: `Today is {{CURRENT_DATE}}. Write one to three {{TYPE}} queries that would find what the user needs for
their last message in the conversation below, in the conversation's language. If no search is needed,
answer with an empty list. Answer with JSON only, in this form: {"queries": ["...", "..."]}

{{MESSAGES:END:6}}`,
  autocomplete: `Continue the user's text, typed into a {{TYPE}} box, with the few words most likely to come next.
Do not repeat the text; answer with JSON only, in this form: {"text": "..."}; an empty text when no
continuation fits.

Text: {{prompt}}

Conversation so far:
{{MESSAGES:END:6}}`,
  emoji: `Answer with the one emoji that best matches the feeling of the text below, and nothing else.

{{prompt}}`,
} as const;

export interface TaskMessage {
  role: string;
  content: unknown;
}

const MAX_MESSAGE_CHARS = 4_000;

/** A message's text: a string, or the text parts of OpenAI's content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text'
          ? String((part as { text?: unknown }).text ?? '')
          : '',
      )
      .filter(Boolean)
      .join('\n');
  return '';
}

function transcript(messages: TaskMessage[]): string {
  return messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => `${m.role.toUpperCase()}: ${textOf(m.content).slice(0, MAX_MESSAGE_CHARS)}`)
    .join('\n\n');
}

/** The template with its placeholders filled in, in one pass (a message naming a placeholder stays text). */
export function renderTemplate(
  template: string,
  input: { messages: TaskMessage[]; prompt?: string; type?: string; now: Date },
): string {
  return template.replace(
    /\{\{(?:MESSAGES:(END|START):(\d+)|MESSAGES|prompt(?::[a-z]+:\d+)?|TYPE|CURRENT_DATE)\}\}/g,
    (placeholder, end: string | undefined, n: string | undefined) => {
      if (end === 'END') return transcript(input.messages.slice(-Number(n)));
      if (end === 'START') return transcript(input.messages.slice(0, Number(n)));
      if (placeholder === '{{MESSAGES}}') return transcript(input.messages);
      if (placeholder === '{{TYPE}}') return input.type ?? '';
      if (placeholder === '{{CURRENT_DATE}}') return input.now.toISOString().slice(0, 10);
      return input.prompt ?? '';
    },
  );
}
