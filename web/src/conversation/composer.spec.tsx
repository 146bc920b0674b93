import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { Composer } from './composer';

function renderComposer(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = props.onSend ?? vi.fn(() => Promise.resolve());
  const user = userEvent.setup();
  render(
    <I18nProvider locale="en">
      <Composer streaming={false} {...props} onSend={onSend} />
    </I18nProvider>,
  );
  return { user, onSend, box: screen.getByRole('textbox', { name: 'Message' }) };
}

describe('Composer', () => {
  it('sends on Enter and clears the box', async () => {
    const { user, onSend, box } = renderComposer();
    await user.type(box, 'Hello there{Enter}');
    expect(onSend).toHaveBeenCalledWith('Hello there');
    expect(box).toHaveValue('');
  });

  it('starts a new line on Shift+Enter without sending', async () => {
    const { user, onSend, box } = renderComposer();
    await user.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue('line one\nline two');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith('line one\nline two');
  });

  it('is disabled while sending and keeps the text when sending fails', async () => {
    let fail: (error: Error) => void = () => undefined;
    const onSend = vi.fn(() => new Promise<void>((_, reject) => (fail = reject)));
    const { user, box } = renderComposer({ onSend });
    await user.type(box, 'Keep me{Enter}');
    expect(box).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Sending…' })).toBeDisabled();
    fail(new Error('nope'));
    expect(await screen.findByRole('button', { name: 'Send' })).toBeEnabled();
    expect(box).toHaveValue('Keep me');
  });

  it('does not send empty text, and shows Stop instead of Send while an answer streams', async () => {
    const onStop = vi.fn();
    const { user, onSend, box } = renderComposer({ streaming: true, onStop });
    await user.type(box, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalled();
  });
});
