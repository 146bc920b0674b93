import { configure, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { FileModel } from '../api';
import { fakeFile } from '../testing/file-fakes';
import { renderApp } from '../testing/render-app';
import { settingsServer } from '../testing/settings-fakes';
import { FILES_PAGE_SIZE } from './files-section';

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

function fileRow(n: number, change: Partial<FileModel> = {}): FileModel {
  return fakeFile(`f-${n}`, `file-${n}.txt`, {
    meta: { name: `file-${n}.txt`, content_type: 'text/plain', size: 1024 * n },
    created_at: 1_700_000_000 + n,
    ...change,
  });
}

async function openFiles(files: FileModel[], locale: 'en' | 'de' = 'en') {
  const server = settingsServer();
  server.on('GET /api/v1/files/?content=false', { body: files });
  window.location.hash = '#/settings';
  const view = renderApp({ server, locale });
  const section = await screen.findByRole('region', { name: locale === 'en' ? 'Files' : 'Dateien' });
  return { ...view, section };
}

describe('Settings → Files', () => {
  it('says so when there are no files', async () => {
    const { section } = await openFiles([]);
    expect(await within(section).findByText('You have not uploaded any files yet.')).toBeInTheDocument();
    expect(within(section).queryByRole('table')).not.toBeInTheDocument();
  });

  it('lists name, size, type and status, newest first', async () => {
    const { section } = await openFiles([fileRow(1), fileRow(2, { data: { status: 'failed', error: 'x' } })]);
    const rows = await within(section).findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByRole('rowheader')).toHaveTextContent('file-2.txt');
    expect(rows[1]).toHaveTextContent('2 kB');
    expect(rows[1]).toHaveTextContent('text/plain');
    expect(rows[1]).toHaveTextContent('Text not readable');
    expect(within(rows[2]!).getByRole('rowheader')).toHaveTextContent('file-1.txt');
    expect(rows[2]).toHaveTextContent('Ready');
  });

  it('deletes a file after asking', async () => {
    const { section, server, user } = await openFiles([fileRow(1), fileRow(2)]);
    server.on('DELETE /api/v1/files/f-1', { body: { message: 'ok' } });
    await user.click(await within(section).findByRole('button', { name: 'Delete file-1.txt' }));
    await user.click(within(section).getByRole('button', { name: 'Delete file' }));
    await waitFor(() => expect(within(section).queryByText('file-1.txt')).not.toBeInTheDocument());
    expect(server.callsTo('DELETE', '/api/v1/files/f-1')).toHaveLength(1);
    expect(within(section).getByText('file-1.txt was deleted.')).toBeInTheDocument();
    expect(within(section).getByText('file-2.txt')).toBeInTheDocument();
  });

  it('pages a long list', async () => {
    const files = Array.from({ length: FILES_PAGE_SIZE + 3 }, (_, i) => fileRow(i + 1));
    const { section, user } = await openFiles(files, 'de');
    expect(await within(section).findAllByRole('row')).toHaveLength(FILES_PAGE_SIZE + 1);
    expect(within(section).getByText('Seite 1 von 2')).toBeInTheDocument();
    await user.click(within(section).getByRole('button', { name: 'Nächste Seite' }));
    expect(within(section).getAllByRole('row')).toHaveLength(4);
    expect(within(section).getByText('file-1.txt')).toBeInTheDocument();
    expect(within(section).getByRole('button', { name: 'Nächste Seite' })).toBeDisabled();
  });
});
