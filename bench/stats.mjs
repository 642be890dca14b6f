// Small statistics and formatting helpers for the bench.
export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const round = (x, digits = 1) => (x === null || x === undefined ? null : +x.toFixed(digits));
export const summary = (a) => ({
  n: a.length,
  median: round(median(a), 2),
  min: round(Math.min(...a), 2),
  max: round(Math.max(...a), 2),
});
