import { epochToDate, readImportItem } from './import-item';

describe('import items', () => {
  it('reads an Open WebUI export item: tags from meta, place, pin and times', () => {
    const item = readImportItem(
      {
        id: 'src-1',
        title: 'Outer title',
        chat: { history: { messages: {} }, tags: ['legacy'] },
        meta: { tags: ['Work', 'legacy'] },
        pinned: true,
        archived: false,
        folder_id: 'f',
        created_at: 1718000000,
        updated_at: 1718000000123,
      },
      0,
    );
    expect(item).toMatchObject({
      sourceId: 'src-1',
      tagNames: ['Work', 'legacy'],
      pinned: true,
      folderId: 'f',
    });
    expect(item.chat.title).toBe('Outer title');
    expect(item.createdAt).toEqual(new Date(1718000000 * 1000));
    expect(item.updatedAt).toEqual(new Date(1718000000123));
  });

  it('takes a bare chat document as one chat with no place', () => {
    expect(readImportItem({ title: 'Bare', history: { messages: {} } }, 0)).toMatchObject({
      sourceId: null,
      pinned: false,
      folderId: null,
      chat: { title: 'Bare' },
    });
  });

  it('names the item that is not a chat', () => {
    expect(() => readImportItem(42, 4)).toThrow('Chat 5 of the import is not a JSON object.');
    expect(() => readImportItem({ chat: { history: [] } }, 0)).toThrow('has a history that is not an object');
  });

  it('reads seconds, milliseconds and nanoseconds, and nothing else', () => {
    const when = new Date('2024-06-10T06:13:20Z');
    expect(epochToDate(when.getTime() / 1000)).toEqual(when);
    expect(epochToDate(when.getTime())).toEqual(when);
    expect(epochToDate(when.getTime() * 1e6)).toEqual(when);
    expect(epochToDate('yesterday')).toBeNull();
    expect(epochToDate(-1)).toBeNull();
  });
});
