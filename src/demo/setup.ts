import { installSchema, trackAll } from '../journal/index.js';
import { rowCounts, snapshot } from './moments.js';
import { seedProduct } from './seed.js';
import { count, type Story } from './story.js';

/**
 * The week before: the recruiting product with its candidates, then wayback installed and tracking
 * every table, exactly as `wayback init` and `wayback track --all` do. Returns the rows per table.
 */
export async function buildProduct(story: Story): Promise<Readonly<Record<string, number>>> {
  const { db, narrator } = story;
  narrator.step('Monday: a recruiting product, and wayback watching it');
  await seedProduct(db);
  // Nothing writes between here and the job, so this is the data as the job found it.
  await snapshot(db, 'before-job');
  const seeded = await rowCounts(db, 'before-job');
  narrator.say(
    `The product: ${count(seeded['candidate'] ?? 0, 'candidate')} (names, emails, cities), each with a profile ` +
      `(headline, LinkedIn link), and ${count(seeded['application'] ?? 0, 'application')} moving through ` +
      `${count(seeded['stage'] ?? 0, 'pipeline stage')}, all tied by foreign keys. wayback goes into the same database:`,
  );
  const installed = await installSchema(db);
  narrator.command(['init', ...story.dbFlag], { command: 'init', url: db.url, result: installed });
  const tracked = await trackAll(db, 'public');
  narrator.command(['track', '--all', ...story.dbFlag], { command: 'track', result: tracked });
  return seeded;
}
