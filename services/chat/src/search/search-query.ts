import type { SearchFilter } from '../chats/chats.repository';

/** Open WebUI's tag id: lower case, spaces as underscores. */
export function tagId(name: string): string {
  return name.trim().replace(/ /g, '_').toLowerCase();
}

function flag(value: string): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * Splits Open WebUI's search text into full-text words and the filters it understands: `tag:x`,
 * `folder:x`, `pinned:true|false`, `archived:true|false`. Words become a prefix-matching tsquery made
 * only of letters and digits, so nothing the user types can break the query syntax.
 */
export function parseSearchText(text: string): SearchFilter {
  const filter: SearchFilter = { tsquery: '', tags: [], folderNames: [] };
  const lexemes: string[] = [];
  for (const word of text.split(String.fromCharCode(0)).join('').toLowerCase().split(/\s+/).filter(Boolean)) {
    const [, key, value] = /^(tag|folder|pinned|archived):(.*)$/.exec(word) ?? [];
    if (key === 'tag' && value) filter.tags.push(tagId(value));
    else if (key === 'folder' && value) filter.folderNames.push(value.replace(/ /g, '_'));
    else if (key === 'pinned' && flag(value!) !== undefined) filter.pinned = flag(value!);
    else if (key === 'archived' && flag(value!) !== undefined) filter.archived = flag(value!);
    else lexemes.push(...(word.match(/[\p{L}\p{N}]+/gu) ?? []));
  }
  filter.tsquery = [...new Set(lexemes)].map((l) => `'${l}':*`).join(' & ');
  return filter;
}
