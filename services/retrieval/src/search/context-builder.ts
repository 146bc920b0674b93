import { Inject, Injectable } from '@nestjs/common';
import type { UserCaller } from '@parley/grpc';
import { KnowledgeRepository } from '../knowledge/knowledge.repository';
import { RetrievalSettingsService } from '../settings/retrieval-settings';
import { SearchService, type Hit, type Target } from './search.service';

export interface ContextSource {
  type: 'file' | 'collection';
  id: string;
  name: string;
  hits: Hit[];
}

export interface BuiltContext {
  prompt: string;
  sources: ContextSource[];
  bypass: boolean;
}

const escapeAttribute = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
// A chunk must not close the source element it sits in (a document quoting our own markup).
const escapeText = (value: string) => value.replace(/<\/source>/gi, '</ source>');

/**
 * What a completion puts before the question: the hits grouped by where they came from (a knowledge
 * base, or a file searched on its own), numbered 1..n in that order, filled into RAG_TEMPLATE. The
 * numbers are the citation numbers: `sources[i].hits` flattened in order are [1], [2], ...
 */
@Injectable()
export class ContextBuilder {
  constructor(
    @Inject(SearchService) private readonly search: SearchService,
    @Inject(RetrievalSettingsService) private readonly settings: RetrievalSettingsService,
    @Inject(KnowledgeRepository) private readonly knowledge: KnowledgeRepository,
  ) {}

  async build(user: UserCaller, query: string, targets: Target[]): Promise<BuiltContext> {
    const settings = await this.settings.settings();
    if (settings.bypassEmbeddingAndRetrieval) return { prompt: '', sources: [], bypass: true };
    const { hits } = await this.search.search(user, { query, targets });
    if (!hits.length) return { prompt: '', sources: [], bypass: false };
    const groups = new Map<string, ContextSource>();
    for (const hit of hits) {
      const key = hit.knowledgeBaseId ? `c:${hit.knowledgeBaseId}` : `f:${hit.sourceId}`;
      let group = groups.get(key);
      if (!group) {
        group = hit.knowledgeBaseId
          ? {
              type: 'collection',
              id: hit.knowledgeBaseId,
              name: await this.baseName(hit.knowledgeBaseId),
              hits: [],
            }
          : { type: 'file', id: hit.sourceId, name: hit.sourceName, hits: [] };
        groups.set(key, group);
      }
      group.hits.push(hit);
    }
    const sources = [...groups.values()];
    let n = 0;
    const context = sources
      .flatMap((source) =>
        source.hits.map((hit) => {
          n += 1;
          const page = hit.page ? ` page="${hit.page}"` : '';
          return `<source id="${n}" name="${escapeAttribute(hit.sourceName)}"${page}>\n${escapeText(hit.text)}\n</source>`;
        }),
      )
      .join('\n');
    const prompt = settings.template.replaceAll('{{CONTEXT}}', context).replaceAll('{{QUERY}}', query);
    return { prompt, sources, bypass: false };
  }

  private async baseName(id: string): Promise<string> {
    return (await this.knowledge.find(id))?.name ?? id;
  }
}
