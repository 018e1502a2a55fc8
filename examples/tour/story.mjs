// The writes of the README's tour, one step at a time: `node examples/tour/story.mjs <step>`.
// It uses the database the CLI uses ($WAYBACK_DB, else $DATABASE_URL, else .wayback/db), through
// wayback's own library, as an application would.
import { connect } from 'wayback';

const steps = {
  /** A table of customers, before anyone tracks it. */
  async setup(wb) {
    await wb.db.query(`create table customer (id int primary key, name text not null, email text not null, plan text not null);
      insert into customer values
        (1, 'Ada Lovelace', 'ada@example.com', 'pro'),
        (2, 'Alan Turing', 'alan@example.com', 'free'),
        (3, 'Grace Hopper', 'grace@example.com', 'pro'),
        (4, 'Edsger Dijkstra', 'edsger@example.com', 'free'),
        (5, 'Barbara Liskov', 'barbara@example.com', 'pro')`);
    console.log('created table customer with 5 rows');
  },

  /** Friday 17:00: a clean-up job with a bug — it keeps only the first word of every name. */
  async friday(wb) {
    await wb.changeset({ id: 'job:name-cleanup:friday', feature: 'name-cleanup', kind: 'job' }, async (tx) => {
      const { rowCount } = await tx.query(`update customer set name = split_part(name, ' ', 1)`);
      console.log(`name-cleanup rewrote ${rowCount} names`);
    });
  },

  /** The weekend, untagged: support fixes one name by hand, billing upgrades a plan, a customer signs up. */
  async weekend(wb) {
    const as = async (app, sql) => {
      await wb.db.query(`select set_config('application_name', $1, false)`, [app]);
      await wb.db.query(sql);
    };
    await as('support-console', `update customer set name = 'Alan M. Turing' where id = 2`);
    await as('billing', `update customer set plan = 'pro' where id = 4`);
    await as('signup-web', `insert into customer values (6, 'Frances Allen', 'frances@example.com', 'pro')`);
    console.log('support fixed 1 name, billing upgraded 1 plan, 1 customer signed up');
  },

  /** What the table holds now. */
  async rows(wb) {
    const { rows } = await wb.db.query('select id, name, plan from customer order by id');
    for (const row of rows) console.log(`${row.id}  ${row.name.padEnd(16)} ${row.plan}`);
  },
};

const step = steps[process.argv[2] ?? ''];
if (step === undefined) {
  console.error(`usage: node examples/tour/story.mjs ${Object.keys(steps).join('|')}`);
  process.exit(2);
}
const wb = await connect();
try {
  await step(wb);
} finally {
  await wb.close();
}
