import { sqlFile, type Db } from '../db/index.js';
import { pick, seededRandom } from './random.js';

const firstNames = [
  'Ada', 'Amara', 'Ana', 'Ben', 'Chen', 'Dara', 'Elif', 'Emil', 'Farah', 'Hugo', 'Ines', 'Ivan', 'Jon', 'Kai',
  'Lena', 'Lior', 'Maya', 'Mei', 'Nia', 'Noah', 'Omar', 'Priya', 'Rosa', 'Sami', 'Tariq', 'Uma', 'Vera', 'Yara',
];
const lastNames = [
  'Abebe', 'Berg', 'Costa', 'Diaz', 'Eze', 'Fox', 'Gil', 'Haas', 'Ito', 'Jain', 'Kim', 'Lund', 'Moss', 'Nagy',
  'Okafor', 'Park', 'Quinn', 'Rossi', 'Sato', 'Tan', 'Ueda', 'Voss', 'Wolf', 'Yilmaz', 'Zhou',
];
const cities = ['Berlin', 'Lagos', 'Lisbon', 'London', 'Madrid', 'Nairobi', 'Oslo', 'Paris', 'Seoul', 'Toronto'];
// ats-import is the old system's export: the candidates the Friday job maps.
const sources = ['careers-site', 'careers-site', 'careers-site', 'referral', 'referral', 'agency', 'ats-import'];
const headlines = ['Backend engineer', 'Data analyst', 'Designer', 'Frontend engineer', 'Product manager', 'SRE'];
const openings = ['Backend Engineer', 'Data Analyst', 'Frontend Engineer', 'Product Designer', 'SRE'];

const seededCandidates = 2_000;

/** Creates the recruiting product (sql/schema.sql) and fills it with the same candidates on every run. */
export async function seedProduct(db: Db, seed = 20_261_120): Promise<void> {
  const random = seededRandom(seed);
  const candidate = { id: [] as number[], first: [] as string[], last: [] as string[], email: [] as string[], city: [] as string[], source: [] as string[] };
  const profile = { headline: [] as string[], linkedin: [] as (string | null)[] };
  const application = { candidate: [] as number[], opening: [] as string[], stage: [] as number[] };
  for (let id = 1; id <= seededCandidates; id++) {
    const first = pick(random, firstNames);
    const last = pick(random, lastNames);
    candidate.id.push(id);
    candidate.first.push(first);
    candidate.last.push(last);
    candidate.email.push(`${first}.${last}.${id}@example.com`.toLowerCase());
    candidate.city.push(pick(random, cities));
    candidate.source.push(pick(random, sources));
    profile.headline.push(pick(random, headlines));
    profile.linkedin.push(random() < 0.9 ? `linkedin.com/in/${first.charAt(0)}${last}`.toLowerCase() : null);
    const applications = 1 + Math.floor(random() * 2);
    for (let n = 0; n < applications; n++) {
      application.candidate.push(id);
      application.opening.push(pick(random, openings));
      application.stage.push(1 + Math.floor(random() * 6));
    }
  }
  await db.query(sqlFile(import.meta.url, 'sql/schema.sql'));
  await db.query(sqlFile(import.meta.url, 'sql/seed.sql'), [
    candidate.id,
    candidate.first,
    candidate.last,
    candidate.email,
    candidate.city,
    candidate.source,
    profile.headline,
    profile.linkedin,
    application.candidate,
    application.opening,
    application.stage,
  ]);
}
