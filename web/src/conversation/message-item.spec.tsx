import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { MessageItem } from './message-item';
import type { DisplayMessage } from './use-conversation';

const answer = {
  id: 'a1',
  parentId: 'u1',
  childrenIds: [],
  role: 'assistant',
  content: 'The **answer** is 42.',
  model: 'gpt-fake',
  timestamp: 1,
  streaming: false,
  errorText: undefined,
  sources: undefined,
} as unknown as DisplayMessage;

function renderItem(message: DisplayMessage) {
  const actions = { onSwitch: vi.fn(), onEdit: vi.fn(), onRegenerate: vi.fn(), onRate: vi.fn() };
  const user = userEvent.setup();
  render(
    <I18nProvider locale="en">
      <MessageItem message={message} siblings={[message.id]} busy={false} {...actions} />
    </I18nProvider>,
  );
  return { user, actions };
}

describe("a message's action bar", () => {
  it('offers icon buttons with their names (copy, regenerate, ratings) and copies the Markdown source', async () => {
    const { user, actions } = renderItem(answer);
    for (const name of ['Copy', 'Regenerate', 'Good response', 'Bad response'])
      expect(screen.getByRole('button', { name })).toHaveAttribute('title', name);
    // Icons, not words: the buttons show no text of their own.
    expect(screen.getByRole('button', { name: 'Regenerate' })).toHaveTextContent('');

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe('The **answer** is 42.');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Good response' }));
    expect(actions.onRate).toHaveBeenCalledWith(answer, 1);
  });

  it("offers no copy while an answer is still streaming, and edit on the user's own message", () => {
    renderItem({ ...answer, streaming: true });
    expect(screen.queryByRole('button', { name: 'Copy' })).toBeNull();
    renderItem({ ...answer, id: 'u1', role: 'user', content: 'What is it?' } as DisplayMessage);
    expect(screen.getByRole('button', { name: 'Edit' })).toBeInTheDocument();
  });
});
