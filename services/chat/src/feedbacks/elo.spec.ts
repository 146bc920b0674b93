import { leaderboard, RatedAnswer } from './elo';

const win = (modelId: string, ...siblingModelIds: string[]): RatedAnswer => ({
  modelId,
  siblingModelIds,
  rating: 1,
  tags: [],
});

describe('leaderboard', () => {
  it('starts every model at 1000 and moves 16 points on a first game between equals', () => {
    const sut = leaderboard([win('a', 'b')]);
    expect(sut).toEqual([
      { modelId: 'a', rating: 1016, won: 1, lost: 0, count: 1, topTags: [] },
      { modelId: 'b', rating: 984, won: 0, lost: 1, count: 1, topTags: [] },
    ]);
  });

  it('counts a thumbs-down as a loss against each sibling', () => {
    const sut = leaderboard([{ modelId: 'a', siblingModelIds: ['b', 'c'], rating: -1, tags: [] }]);
    const a = sut.find((r) => r.modelId === 'a')!;
    expect(a).toMatchObject({ won: 0, lost: 2, count: 2 });
    expect(a.rating).toBeLessThan(1000);
    expect(sut[sut.length - 1]!.modelId).toBe('a');
  });

  it('orders models by rating, and an upset moves more than an expected win', () => {
    const history = [win('a', 'b'), win('a', 'b'), win('a', 'b'), win('c', 'b')];
    const sut = leaderboard(history);
    expect(sut.map((r) => r.modelId)).toEqual(['a', 'c', 'b']);
    const expectedWin = leaderboard([...history, win('a', 'b')]);
    const upset = leaderboard([...history, win('b', 'a')]);
    const gain = (rows: typeof sut, id: string) =>
      rows.find((r) => r.modelId === id)!.rating - sut.find((r) => r.modelId === id)!.rating;
    expect(gain(upset, 'b')).toBeGreaterThan(gain(expectedWin, 'a'));
  });

  it('ignores a model rated against itself and lists one rated without siblings with no games', () => {
    const sut = leaderboard([win('a', 'a'), win('solo')]);
    expect(sut).toEqual([
      { modelId: 'a', rating: 1000, won: 0, lost: 0, count: 0, topTags: [] },
      { modelId: 'solo', rating: 1000, won: 0, lost: 0, count: 0, topTags: [] },
    ]);
  });

  it("lists a model's five most frequent tags", () => {
    const tags = ['code', 'code', 'code', 'math', 'math', 'poem', 'x', 'y', 'z'];
    const sut = leaderboard(tags.map((tag) => ({ ...win('a', 'b'), tags: [tag] })));
    expect(sut[0]!.topTags).toEqual([
      { tag: 'code', count: 3 },
      { tag: 'math', count: 2 },
      { tag: 'poem', count: 1 },
      { tag: 'x', count: 1 },
      { tag: 'y', count: 1 },
    ]);
  });
});
