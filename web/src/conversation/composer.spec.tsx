import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Attachment } from '../files';
import { I18nProvider } from '../i18n';
import { fakeFile } from '../testing/file-fakes';
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
    expect(onSend).toHaveBeenCalledWith('Hello there', []);
    expect(box).toHaveValue('');
  });

  it('starts a new line on Shift+Enter without sending', async () => {
    const { user, onSend, box } = renderComposer();
    await user.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue('line one\nline two');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith('line one\nline two', []);
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

  describe('with files', () => {
    const pdf = fakeFile('f-1', 'notes.pdf', {
      meta: { name: 'notes.pdf', content_type: 'application/pdf', size: 10 },
    });
    const ready: Attachment = {
      key: 'a-1',
      name: 'notes.pdf',
      size: 10,
      image: false,
      state: 'ready',
      progress: 1,
      file: pdf,
    };
    const filesProp = (attachments: Attachment[]) => ({
      attachments,
      add: vi.fn(),
      remove: vi.fn(),
      clear: vi.fn(),
    });

    it("sends the ready files in Open WebUI's shape and clears them", async () => {
      const files = filesProp([ready]);
      const { user, onSend, box } = renderComposer({ files });
      await user.type(box, 'Summarise this{Enter}');
      expect(onSend).toHaveBeenCalledWith('Summarise this', [
        {
          type: 'file',
          id: 'f-1',
          url: '/api/v1/files/f-1',
          name: 'notes.pdf',
          size: 10,
          status: 'uploaded',
          content_type: 'application/pdf',
        },
      ]);
      expect(files.clear).toHaveBeenCalled();
    });

    it('waits for a file still uploading, and says why', async () => {
      const files = filesProp([{ ...ready, state: 'uploading', progress: 0.3 }]);
      const { user, onSend, box } = renderComposer({ files });
      await user.type(box, 'Too early{Enter}');
      expect(onSend).not.toHaveBeenCalled();
      expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
      expect(box).toHaveAccessibleDescription('Wait until every file is ready, or remove it.');
    });

    it('attaches files chosen with the attach button, and pasted images', async () => {
      const files = filesProp([]);
      const { user, box } = renderComposer({ files });
      const doc = new File(['hello'], 'hello.txt', { type: 'text/plain' });
      await user.upload(screen.getByTestId('file-input'), doc);
      expect(files.add).toHaveBeenCalledWith([doc]);
      expect(screen.getByRole('button', { name: 'Attach files' })).toBeEnabled();

      const image = new File([new Uint8Array([137, 80, 78, 71])], 'image.png', { type: 'image/png' });
      box.focus();
      await user.paste({ files: [image], getData: () => '' } as unknown as DataTransfer);
      expect(files.add).toHaveBeenLastCalledWith([image]);
    });
  });
});
