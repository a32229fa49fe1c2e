// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the main README's second example: a small MovieLens-shaped ratings.csv (40 users, 30 items, ratings in
// half stars from a rank-2 model) where the example reads it, ml-latest-small/ratings.csv.
import { mkdirSync as preludeMkdir, writeFileSync as preludeWrite } from 'node:fs';

const preludeLines = ['userId,movieId,rating,timestamp'];
for (let user = 1; user <= 40; user++) {
  for (let item = 1; item <= 30; item++) {
    if ((user * 7 + item * 13) % 3 !== 0) continue;
    const score = 3 + Math.sin(user) * Math.cos(item) + 0.8 * Math.cos(user * 0.5) * Math.sin(item * 0.7);
    const rating = Math.min(5, Math.max(0.5, Math.round(score * 2) / 2));
    preludeLines.push(`${user},${item},${rating},${1_500_000_000 + user * 1000 + item}`);
  }
}
preludeMkdir('ml-latest-small', { recursive: true });
preludeWrite('ml-latest-small/ratings.csv', `${preludeLines.join('\n')}\n`);
