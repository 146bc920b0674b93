import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, type FileModel } from '../api';
import { filesApi, formatSize } from '../files';
import { useT } from '../i18n';
import { Pager } from './pager';
import { ConfirmButton } from './confirm-button';
import { Outcome, Section } from './page-shell';

/** Rows per page of the list; the whole list comes in one answer, paging is the browser's. */
export const FILES_PAGE_SIZE = 10;

const filesKey = ['files'] as const;
const STATUS_KEYS = {
  pending: 'settings.files.status.pending',
  completed: 'settings.files.status.completed',
  failed: 'settings.files.status.failed',
} as const;

/** Settings → Files: the caller's uploads, newest first, each deletable. */
export function FilesSection() {
  const t = useT();
  const api = useApi();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(0);
  const [deleted, setDeleted] = useState<string | null>(null);
  const files = useQuery({
    queryKey: filesKey,
    queryFn: ({ signal }) => filesApi.list(api, signal),
    select: (list) => [...list].sort((a, b) => b.created_at - a.created_at),
  });
  const remove = useMutation({
    mutationFn: (file: FileModel) => filesApi.remove(api, file.id),
    onSuccess: (_, file) => {
      setDeleted(file.meta.name || file.filename);
      queryClient.setQueryData<FileModel[]>(filesKey, (list) => list?.filter((f) => f.id !== file.id));
    },
  });

  const list = files.data ?? [];
  const pages = Math.max(1, Math.ceil(list.length / FILES_PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = list.slice(current * FILES_PAGE_SIZE, (current + 1) * FILES_PAGE_SIZE);
  const date = (seconds: number) =>
    new Date(seconds * 1000).toLocaleString(t.locale, { dateStyle: 'medium', timeStyle: 'short' });
  const failure = files.error ?? remove.error;

  return (
    <Section title={t('settings.files.title')}>
      <p className="muted">{t('settings.files.intro')}</p>
      {files.isPending ? (
        <p role="status">{t('app.loading')}</p>
      ) : list.length === 0 && !files.isError ? (
        <p className="empty-state">{t('settings.files.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="files-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.files.name')}</th>
                <th scope="col">{t('settings.files.size')}</th>
                <th scope="col">{t('settings.files.type')}</th>
                <th scope="col">{t('settings.files.date')}</th>
                <th scope="col">{t('settings.files.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('settings.files.deleteConfirm')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((file) => {
                const name = file.meta.name || file.filename;
                const status = file.data.status ?? 'completed';
                return (
                  <tr key={file.id}>
                    <th scope="row" className="file-name" title={name}>
                      {name}
                    </th>
                    <td>{formatSize(file.meta.size, t.locale)}</td>
                    <td>{file.meta.content_type}</td>
                    <td>{date(file.created_at)}</td>
                    <td>{t(STATUS_KEYS[status])}</td>
                    <td>
                      <ConfirmButton
                        label={t('settings.files.deleteConfirm')}
                        ariaLabel={t('settings.files.delete', { name })}
                        question={t('settings.files.deleteQuestion', { name })}
                        confirmLabel={t('settings.files.deleteConfirm')}
                        disabled={remove.isPending}
                        onConfirm={() => remove.mutate(file)}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={current} pages={pages} label={t('settings.files.title')} onPage={setPage} />
      <Outcome done={deleted ? t('settings.files.deleted', { name: deleted }) : ''} failure={failure} />
    </Section>
  );
}
