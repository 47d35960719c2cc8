/** "Did you mean" for misspelt keys and values. */

/** Levenshtein distance, case-insensitive; '-' and '_' are the same character (cluster-size). */
export function editDistance(a: string, b: string): number {
  const x = fold(a);
  const y = fold(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length];
}

function fold(s: string): string {
  return s.toLowerCase().replace(/-/g, '_');
}

/** The closest candidate within `max` edits, or undefined; ties go to the earlier candidate. */
export function didYouMean(word: string, candidates: readonly string[], max = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
