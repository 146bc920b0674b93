import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useT } from '../i18n';
import { Pager } from '../settings/pager';
import { knowledgeHref } from '../settings/app-route';
import { PageShell } from '../settings/page-shell';
import { usePermission } from '../settings/use-permission';
import { modeOf } from './access-control-editor';
import { CreateKnowledgeForm } from './create-knowledge-form';
import { KnowledgeDetail } from './knowledge-detail';
import { knowledgeApi, knowledgeKeys } from './knowledge-api';

/** Rows per page of the list; the route answers the whole list, paging is the browser's. */
export const KNOWLEDGE_PAGE_SIZE = 10;

/** `#/workspace/knowledge[/<id>]`: the knowledge bases I may read, or one of them. */
export default function KnowledgeScreen({ id }: { id: string | null }) {
  const t = useT();
  return (
    <PageShell title={t('knowledge.title')}>
      {id === null ? <KnowledgeList /> : <KnowledgeDetail key={id} id={id} />}
    </PageShell>
  );
}

function KnowledgeList() {
  const t = useT();
  const api = useApi();
  const mayCreate = usePermission('workspace.knowledge');
  const [page, setPage] = useState(0);
  const list = useQuery({
    queryKey: knowledgeKeys.list(),
    queryFn: ({ signal }) => knowledgeApi.list(api, signal),
  });
  const bases = list.data ?? [];
  const pages = Math.max(1, Math.ceil(bases.length / KNOWLEDGE_PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = bases.slice(current * KNOWLEDGE_PAGE_SIZE, (current + 1) * KNOWLEDGE_PAGE_SIZE);

  return (
    <>
      <section className="panel" aria-labelledby="knowledge-list-title">
        <h2 id="knowledge-list-title">{t('knowledge.list.title')}</h2>
        {list.isPending ? (
          <p className="muted" role="status">
            {t('app.loading')}
          </p>
        ) : list.isError ? (
          <p className="error" role="alert">
            {errorMessage(list.error, t)}
          </p>
        ) : bases.length === 0 ? (
          <p className="empty-state">{t('knowledge.list.empty')}</p>
        ) : (
          <ul className="row-list" aria-labelledby="knowledge-list-title">
            {rows.map((kb) => (
              <li key={kb.id} className="row">
                <div className="row-main">
                  <a className="row-title" href={knowledgeHref(kb.id)}>
                    {kb.name}
                  </a>
                  {kb.description && <span className="muted row-sub">{kb.description}</span>}
                </div>
                <span className="muted">
                  {t('knowledge.list.files', { count: kb.data.file_ids.length })} ·{' '}
                  {t(`knowledge.access.${modeOf(kb.access_control).mode}`)}
                </span>
              </li>
            ))}
          </ul>
        )}
        <Pager page={current} pages={pages} label={t('knowledge.list.pages')} onPage={setPage} />
      </section>
      {mayCreate && <CreateKnowledgeForm />}
    </>
  );
}
