import { parseSearchText, tagId } from './search-query';

describe('search text', () => {
  it('takes the filters out and turns the rest into a prefix tsquery', () => {
    expect(parseSearchText('Deploy tag:Work folder:Q3 pinned:true archived:false helm-chart')).toEqual({
      tsquery: "'deploy':* & 'helm':* & 'chart':*",
      tags: ['work'],
      folderNames: ['q3'],
      pinned: true,
      archived: false,
    });
  });

  it('leaves nothing of query syntax in the tsquery, whatever is typed', () => {
    const { tsquery } = parseSearchText("it's & | ! (x) :* '; DROP TABLE chats; --");
    expect(tsquery).toBe("'it':* & 's':* & 'x':* & 'drop':* & 'table':* & 'chats':*");
  });

  it('keeps letters of any script and ignores unknown flag values', () => {
    expect(parseSearchText('Größe 東京 pinned:maybe')).toEqual({
      tsquery: "'größe':* & '東京':* & 'pinned':* & 'maybe':*",
      tags: [],
      folderNames: [],
    });
  });

  it('normalises tag names as Open WebUI does', () => {
    expect(tagId('  My Tag ')).toBe('my_tag');
  });
});
