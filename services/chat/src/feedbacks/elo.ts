/** One head-to-head result: the rated model against each of its siblings. */
export interface RatedAnswer {
  modelId: string;
  siblingModelIds: string[];
  /** 1: the rated answer won against each sibling; -1: it lost. */
  rating: 1 | -1;
  tags: string[];
}

export interface LeaderboardRow {
  modelId: string;
  rating: number;
  won: number;
  lost: number;
  count: number;
  topTags: Array<{ tag: string; count: number }>;
}

/** Open WebUI's constants: every model starts at 1000, K = 32. */
const START = 1000;
const K = 32;
const TOP_TAGS = 5;

/**
 * Elo ratings from head-to-head ratings, in the order given (oldest first): the same sums Open WebUI
 * computes for its leaderboard, so the two rank a shared export alike. Highest rating first; ties by
 * more games, then by model id, so the order is stable.
 */
export function leaderboard(answers: Iterable<RatedAnswer>): LeaderboardRow[] {
  const stats = new Map<string, { rating: number; won: number; lost: number; tags: Map<string, number> }>();
  const of = (id: string) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { rating: START, won: 0, lost: 0, tags: new Map() }));
    return s;
  };
  for (const answer of answers) {
    const rated = of(answer.modelId);
    for (const tag of answer.tags) rated.tags.set(tag, (rated.tags.get(tag) ?? 0) + 1);
    const won = answer.rating === 1;
    for (const siblingId of answer.siblingModelIds) {
      if (siblingId === answer.modelId) continue;
      const other = of(siblingId);
      const expected = 1 / (1 + 10 ** ((other.rating - rated.rating) / 400));
      rated.rating += K * ((won ? 1 : 0) - expected);
      other.rating += K * ((won ? 0 : 1) - (1 - expected));
      if (won) {
        rated.won += 1;
        other.lost += 1;
      } else {
        rated.lost += 1;
        other.won += 1;
      }
    }
  }
  return [...stats.entries()]
    .map(([modelId, s]) => ({
      modelId,
      rating: Math.round(s.rating),
      won: s.won,
      lost: s.lost,
      count: s.won + s.lost,
      topTags: [...s.tags.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TOP_TAGS)
        .map(([tag, count]) => ({ tag, count })),
    }))
    .sort((a, b) => b.rating - a.rating || b.count - a.count || a.modelId.localeCompare(b.modelId));
}
