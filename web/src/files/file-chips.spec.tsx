import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { I18nProvider } from '../i18n';
import { fakeFile, fakeMessageFile } from '../testing/file-fakes';
import { AttachmentChips, MessageFiles } from './file-chips';
import { ProcessingFailed, type Attachment } from './use-attachments';

const uploaded = fakeFile('f-1', 'notes.pdf');

function attachment(change: Partial<Attachment>): Attachment {
  return { key: 'a-1', name: 'notes.pdf', size: 2048, image: false, state: 'ready', progress: 1, ...change };
}

function renderChips(attachments: Attachment[], locale: 'en' | 'de' = 'en') {
  const onRemove = vi.fn();
  render(
    <I18nProvider locale={locale}>
      <AttachmentChips attachments={attachments} onRemove={onRemove} />
    </I18nProvider>,
  );
  return { onRemove, user: userEvent.setup() };
}

describe('AttachmentChips', () => {
  it('shows one progress bar per uploading file, with the share sent', () => {
    renderChips([
      attachment({ key: 'a', name: 'a.txt', state: 'uploading', progress: 0.42 }),
      attachment({ key: 'b', name: 'b.txt', state: 'uploading', progress: 0.9 }),
    ]);
    expect(screen.getByRole('progressbar', { name: 'Uploading a.txt' })).toHaveAttribute('value', '42');
    expect(screen.getByRole('progressbar', { name: 'Uploading b.txt' })).toHaveAttribute('value', '90');
  });

  it('says a file is being read while its text is extracted', () => {
    renderChips([attachment({ state: 'processing', file: uploaded })]);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Reading the file…');
  });

  it('shows the name and size, and removes a chip by its button', async () => {
    const { onRemove, user } = renderChips([attachment({ file: uploaded })]);
    const list = screen.getByRole('list', { name: 'Files to send' });
    expect(within(list).getByText('notes.pdf')).toBeInTheDocument();
    expect(within(list).getByText('2 kB')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Remove notes.pdf' }));
    expect(onRemove).toHaveBeenCalledWith('a-1');
  });

  it.each([
    ['FILE_TOO_LARGE', 413, 'Die Datei ist zu groß.'],
    ['FILE_EXTENSION_NOT_ALLOWED', 400, 'Dateien dieses Typs sind nicht erlaubt.'],
    ['QUOTA_EXCEEDED', 413, 'Dein Dateispeicher ist voll. Lösche Dateien unter Einstellungen → Dateien.'],
    ['FILE_EMPTY', 400, 'Die Datei ist leer.'],
  ])('translates %s for an upload', (code, status, german) => {
    renderChips([attachment({ state: 'failed', error: new ApiError(status, 'server words', code) })], 'de');
    expect(screen.getByRole('alert')).toHaveTextContent(german);
  });

  it('shows the server sentence in English: it names the limit', () => {
    const error = new ApiError(413, 'The file is larger than RAG_FILE_MAX_SIZE (1 MB).', 'FILE_TOO_LARGE');
    renderChips([attachment({ state: 'failed', error })]);
    expect(screen.getByRole('alert')).toHaveTextContent('The file is larger than RAG_FILE_MAX_SIZE (1 MB).');
  });

  it('says the storage quota, not the daily usage limit, when an upload finds it full', () => {
    renderChips([attachment({ state: 'failed', error: new ApiError(413, null, 'QUOTA_EXCEEDED') })]);
    expect(screen.getByRole('alert')).toHaveTextContent('Your file storage is full.');
  });

  it('gives the reason when extraction failed', () => {
    renderChips([attachment({ state: 'failed', error: new ProcessingFailed('no text layer') })]);
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The file was uploaded, but its text could not be read: no text layer',
    );
  });
});

describe('MessageFiles', () => {
  it('shows a document as a chip and an image as a thumbnail that opens a viewer', async () => {
    const user = userEvent.setup();
    render(
      <I18nProvider locale="en">
        <MessageFiles
          files={[fakeMessageFile('file', 'f-1', 'notes.pdf'), fakeMessageFile('image', 'f-2', 'cat.png')]}
        />
      </I18nProvider>,
    );
    expect(screen.getByText('notes.pdf')).toBeInTheDocument();
    const open = screen.getByRole('button', { name: 'Enlarge cat.png' });
    await user.click(open);
    const viewer = screen.getByRole('dialog', { name: 'Image: cat.png' });
    expect(within(viewer).getByRole('img', { name: 'cat.png' })).toHaveAttribute(
      'src',
      '/api/v1/files/f-2/content',
    );
    expect(within(viewer).getByRole('button', { name: 'Close' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(open).toHaveFocus();
  });
});
