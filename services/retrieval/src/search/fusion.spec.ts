import { fuse, uniqueByText } from './search.service';

const chunk = (id: string, score = 0) => ({
  id,
  sourceId: 's',
  sourceName: 'n',
  position: 0,
  text: id,
  page: 0,
  heading: '',
  score,
});

describe('reciprocal rank fusion', () => {
  it('ranks what both lists hold above what one holds', () => {
    const fused = fuse([chunk('a'), chunk('b'), chunk('c')], [chunk('c'), chunk('d')], 0.5);
    expect(fused[0]!.id).toBe('c');
    // First in both would be 1; c is third and first.
    expect(fused[0]!.score).toBeCloseTo(0.5 * (61 / 63) + 0.5, 5);
    expect(fused.map((c) => c.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('follows the keyword weight: 0 keeps the vector order, 1 the keyword order', () => {
    const vector = [chunk('a'), chunk('b')];
    const keyword = [chunk('b'), chunk('a')];
    expect(fuse(vector, keyword, 0).map((c) => c.id)).toEqual(['a', 'b']);
    expect(fuse(vector, keyword, 1).map((c) => c.id)).toEqual(['b', 'a']);
  });
});

describe('duplicate passages', () => {
  it('keeps the best-ranked chunk of each distinct text', () => {
    const a = { ...chunk('a'), text: 'same' };
    const b = { ...chunk('b'), text: 'same ' };
    const c = { ...chunk('c'), text: 'other' };
    expect(uniqueByText([a, c, b]).map((x) => x.id)).toEqual(['a', 'c']);
  });
});
