// The revert against its model, on generated histories: for each one, play it on real tables, revert
// S in a mode drawn at random, and hold the tables and the conflicts to what model.ts predicts; then
// revert the revert and expect the tables exactly as they were before. A failure shrinks to a minimal
// history and prints it with the seed; replay it with WAYBACK_PROPERTY_SEED (and the path fast-check
// prints, as WAYBACK_PROPERTY_PATH). WAYBACK_PROPERTY_RUNS sets the histories per shape on PGlite,
// WAYBACK_PROPERTY_SERVER_RUNS on the server (the same by default).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Db } from '../../src/db/index.js';
import { revert, type Conflict, type RevertMode } from '../../src/revert/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  clearShape, createShape, describeHistory, dropShape, historyArbitrary, oneTable, parentAndChild, playHistory, readState,
  type Shape,
} from './history.js';
import { conflictId, predictRevert, type History, type ModelConflict } from './model.js';

const runs = Number(process.env['WAYBACK_PROPERTY_RUNS'] ?? 1000);
const serverRuns = Number(process.env['WAYBACK_PROPERTY_SERVER_RUNS'] ?? runs);
const seed = Number(process.env['WAYBACK_PROPERTY_SEED'] ?? 20261124);
const path = process.env['WAYBACK_PROPERTY_PATH'];
const modes: readonly RevertMode[] = ['skip-conflicts', 'strict', 'force'];
/** Each shape gets the full count: the keyed one costs about as much per history (~30–40 ms on either backend). */
const shapesFor = (count: number): readonly [Shape, number][] => [[oneTable, count], [parentAndChild, count]];

/** A conflict as the model names it, its key's columns in key order. */
function comparable(shape: Shape, conflict: Conflict): ModelConflict {
  const def = shape.tables.find((table) => table.def.name === conflict.table)?.def;
  const pk = def === undefined ? conflict.pk : Object.fromEntries(def.key.map((column) => [column, conflict.pk[column] ?? '?']));
  return { table: conflict.table, pk, column: conflict.column, kind: conflict.kind };
}

const sortedIds = (conflicts: readonly ModelConflict[]) => conflicts.map(conflictId).sort();

let histories = 0;

async function check(db: Db, shape: Shape, history: History, mode: RevertMode): Promise<void> {
  const changeset = `prop-S-${process.pid}-${++histories}`;
  const said = `${mode}, history:\n${describeHistory(history)}`;
  const model = predictRevert(history, mode);
  await clearShape(db, shape);
  await playHistory(db, shape, history, changeset);
  const played = await readState(db, shape);
  assert.deepEqual(played, model.before, `the played tables differ from the model's replay (${said})`);

  const result = await revert(db, { changesets: [changeset] }, { mode, dryRun: false });
  assert.deepEqual(sortedIds(result.conflicts.map((c) => comparable(shape, c))), sortedIds(model.conflicts), `conflicts (${said})`);
  assert.equal(result.counts.conflicts, result.conflicts.length, `counts.conflicts (${said})`);
  const reverted = await readState(db, shape);
  assert.deepEqual(reverted, model.after, `tables after revert S (${said})`);
  if (mode === 'strict' && model.conflicts.length > 0) assert.equal(result.applied, false, `strict with conflicts applies nothing (${said})`);

  if (mode === 'strict' || JSON.stringify(reverted) === JSON.stringify(played)) return;
  assert.ok(result.changeset !== null, `the revert changed the tables, so it has a change set (${said})`);
  const back = await revert(db, { changesets: [result.changeset] }, { mode: 'skip-conflicts' });
  assert.deepEqual(back.conflicts, [], `reverting the revert conflicts (${said})`);
  assert.deepEqual(await readState(db, shape), played, `tables after reverting the revert (${said})`);
}

for (const backend of backends) {
  describe(`revert property on ${backend.name}`, () => {
    let t: TestDatabase;
    let db: Db;
    before(async () => {
      t = await backend.fresh();
      db = t.db;
    });
    after(async () => {
      await t.drop();
    });

    for (const [shape, count] of shapesFor(backend.name === 'postgres' ? serverRuns : runs)) {
      it(`${shape.name}: revert S matches the model in every mode, and its revert restores the tables (${count} histories, seed ${seed})`, async () => {
        await createShape(db, shape);
        const started = Date.now();
        try {
          await fc.assert(
            fc.asyncProperty(historyArbitrary(shape), fc.constantFrom(...modes), (history, mode) => {
              return check(db, shape, history, mode);
            }),
            { numRuns: count, seed, includeErrorInReport: true, ...(path === undefined ? {} : { path }) },
          );
        } finally {
          const ms = Date.now() - started;
          console.log(`${backend.name}, ${shape.name}: ${count} histories in ${ms} ms (${Math.round((ms / count) * 100)} ms per 100), seed ${seed}`);
          await dropShape(db, shape);
        }
      });
    }
  });
}
