// The revert model on hand-written histories: every rule of DESIGN.md's revert semantics, and every
// reading model.ts chose where DESIGN.md is open, with its outcome written out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConflictKind, RevertMode } from '../../src/revert/types.js';
import { predictRevert, replay, type Op, type Prediction, type Transaction, type Value } from './model.js';

const table = { name: 'public.t', key: ['id'], columns: ['id', 'a', 'b'] };
const insert = (id: number, a: Value, b: Value): Op => ({ kind: 'insert', table: 'public.t', row: { id: String(id), a, b } });
const update = (id: number, set: Record<string, Value>): Op => ({ kind: 'update', table: 'public.t', key: { id: String(id) }, set });
const remove = (id: number): Op => ({ kind: 'delete', table: 'public.t', key: { id: String(id) } });
const S = (...ops: Op[]): Transaction => ({ by: 'S', ops });
const others = (...ops: Op[]): Transaction => ({ by: 'others', ops });
/** The usual start: rows 1 (a 1, b x) and 2 (a 2, b y), written by others. */
const seed = others(insert(1, '1', 'x'), insert(2, '2', 'y'));

const revertS = (mode: RevertMode, ...transactions: Transaction[]): Prediction =>
  predictRevert({ tables: [table], transactions }, mode);

/** The table after the revert holds exactly these rows, as [id, a, b]. */
function expectRows(prediction: Prediction, ...rows: [number, Value, Value][]): void {
  const expected = Object.fromEntries(
    rows.sort(([x], [y]) => (JSON.stringify([String(x)]) < JSON.stringify([String(y)]) ? -1 : 1))
      .map(([id, a, b]) => [JSON.stringify([String(id)]), { id: String(id), a, b }]),
  );
  assert.deepEqual(prediction.after['public.t'], expected);
}

/** The revert reports exactly these conflicts, as [id, column, kind]. */
function expectConflicts(prediction: Prediction, ...conflicts: [number, string | null, ConflictKind][]): void {
  assert.deepEqual(
    prediction.conflicts.map((c) => [Number(c.pk['id']), c.column, c.kind]),
    conflicts,
  );
}

function expectNothingChanged(prediction: Prediction): void {
  assert.deepEqual(prediction.after, prediction.before);
}

describe('revert model: cells S updated', () => {
  it('restores the base of a cell nobody else wrote since, and leaves columns S never wrote alone', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5' })), others(update(1, { b: 'z' })));
    expectRows(p, [1, '1', 'z'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('restores the value before S\'s first write and after others\' earlier writes, across S\'s transactions', () => {
    const p = revertS('skip-conflicts', seed, others(update(1, { a: '4' })), S(update(1, { a: '5' })), others(update(2, { a: '0' })), S(update(1, { a: '6' })));
    expectRows(p, [1, '4', 'x'], [2, '0', 'y']);
    expectConflicts(p);
  });

  it('does nothing to a cell already back at its base, without a conflict', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5' })), others(update(1, { a: '1' })));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('keeps a cell others changed later and reports cell-changed-later, applying the clean cells', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5', b: 'z' }), update(2, { a: '6' })), others(update(1, { a: '7' })));
    expectRows(p, [1, '7', 'x'], [2, '2', 'y']);
    expectConflicts(p, [1, 'a', 'cell-changed-later']);
  });

  it('counts a later write that put back S\'s value as a write: still a conflict', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5' })), others(update(1, { a: '7' }), update(1, { a: '5' })));
    expectRows(p, [1, '5', 'x'], [2, '2', 'y']);
    expectConflicts(p, [1, 'a', 'cell-changed-later']);
  });

  it('ignores a later update that wrote the same text (the journal never sees it)', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5' })), others(update(1, { a: '5', b: 'x' })));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('compares as text: numeric 1.0 is a write over 1', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '1.0' })));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    assert.equal(p.before['public.t']?.['["1"]']?.['a'], '1.0');
  });

  it('treats a cell S wrote back to its base as written: a later change is a conflict', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5' })), S(update(1, { a: '1' })), others(update(1, { a: '7' })));
    expectRows(p, [1, '7', 'x'], [2, '2', 'y']);
    expectConflicts(p, [1, 'a', 'cell-changed-later']);
  });

  it('reports row-deleted-later once per row when others deleted a row S updated', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5', b: 'z' }), update(2, { a: '6' })), others(remove(1)));
    expectRows(p, [2, '2', 'y']);
    expectConflicts(p, [1, null, 'row-deleted-later']);
  });

  it('treats a row others inserted and S then updated as an ordinary update', () => {
    const p = revertS('skip-conflicts', others(insert(3, '3', 'w')), S(update(3, { b: 'z' })));
    expectRows(p, [3, '3', 'w']);
    expectConflicts(p);
  });

  it('reads the cells of a row others deleted and re-inserted after S as changed later', () => {
    const p = revertS('skip-conflicts', seed, S(update(1, { a: '5', b: 'z' })), others(remove(1)), others(insert(1, '8', 'x')));
    expectRows(p, [1, '8', 'x'], [2, '2', 'y']);
    expectConflicts(p, [1, 'a', 'cell-changed-later']);
  });
});

describe('revert model: rows S inserted', () => {
  it('deletes a row S inserted, even one S updated afterwards', () => {
    const p = revertS('skip-conflicts', seed, S(insert(3, '3', 'w')), S(update(3, { a: '4' })));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('keeps a row S inserted that others wrote later, and reports row-modified-later', () => {
    const p = revertS('skip-conflicts', seed, S(insert(3, '3', 'w')), others(update(3, { b: 'v' })));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y'], [3, '3', 'v']);
    expectConflicts(p, [3, null, 'row-modified-later']);
  });

  it('reads a key others deleted and inserted again after S inserted it as modified later', () => {
    const p = revertS('skip-conflicts', S(insert(3, '3', 'w')), others(remove(3)), others(insert(3, '0', null)));
    expectRows(p, [3, '0', null]);
    expectConflicts(p, [3, null, 'row-modified-later']);
  });

  it('does nothing about a row S inserted that others deleted since', () => {
    const p = revertS('skip-conflicts', seed, S(insert(3, '3', 'w')), others(update(3, { a: '0' })), others(remove(3)));
    expectNothingChanged(p);
    expectConflicts(p);
  });

  it('does nothing about a row S inserted and deleted, whatever others did in between', () => {
    const p = revertS('skip-conflicts', seed, S(insert(3, '3', 'w')), others(update(3, { a: '0' })), S(remove(3)));
    expectNothingChanged(p);
    expectConflicts(p);
  });
});

describe('revert model: rows S deleted', () => {
  it('re-inserts the row S deleted as it was', () => {
    const p = revertS('skip-conflicts', seed, S(remove(2)), others(update(1, { a: '0' })));
    expectRows(p, [1, '0', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('reports pk-taken when the key S freed is held again, and keeps that row', () => {
    const p = revertS('skip-conflicts', seed, S(remove(2)), others(insert(2, '9', 'q')));
    expectRows(p, [1, '1', 'x'], [2, '9', 'q']);
    expectConflicts(p, [2, null, 'pk-taken']);
  });

  it('does nothing when the key S freed holds the row exactly as it was (the revert already done)', () => {
    const p = revertS('skip-conflicts', seed, S(remove(2)), others(insert(2, '2', 'y')));
    expectNothingChanged(p);
    expectConflicts(p);
  });

  it('re-inserts when the key was taken and freed again since', () => {
    const p = revertS('skip-conflicts', seed, S(remove(2)), others(insert(2, '9', 'q')), others(remove(2)));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('undoes S\'s own updates of a row it then deleted, and keeps others\' writes to other columns', () => {
    const p = revertS('skip-conflicts', seed, S(update(2, { a: '5' })), others(update(2, { b: 'z' })), S(remove(2)));
    expectRows(p, [1, '1', 'x'], [2, '2', 'z']);
    expectConflicts(p);
  });

  it('leaves out a row S deleted when others wrote a cell S had updated before: cell-changed-later', () => {
    const p = revertS('skip-conflicts', seed, S(update(2, { a: '5' })), others(update(2, { a: '6' })), S(remove(2)));
    expectRows(p, [1, '1', 'x']);
    expectConflicts(p, [2, 'a', 'cell-changed-later']);
  });


});

describe('revert model: modes', () => {
  const history = [
    seed,
    S(update(1, { a: '5', b: 'z' }), insert(3, '3', 'w'), insert(4, '4', 'v'), remove(2)),
    others(update(1, { a: '7' }), update(4, { b: 'u' }), insert(2, '0', null)),
  ];

  it('skip-conflicts applies the clean cells and rows and reports the rest', () => {
    const p = revertS('skip-conflicts', ...history);
    expectRows(p, [1, '7', 'x'], [2, '0', null], [4, '4', 'u']);
    expectConflicts(p, [1, 'a', 'cell-changed-later'], [2, null, 'pk-taken'], [4, null, 'row-modified-later']);
  });

  it('strict applies nothing when anything conflicts, and reports every conflict', () => {
    const p = revertS('strict', ...history);
    expectNothingChanged(p);
    expectConflicts(p, [1, 'a', 'cell-changed-later'], [2, null, 'pk-taken'], [4, null, 'row-modified-later']);
  });

  it('strict applies everything when nothing conflicts', () => {
    const p = revertS('strict', seed, S(update(1, { a: '5' }), remove(2), insert(3, '3', 'w')));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('force overwrites later writes and deletes rows others modified, but never takes a held key', () => {
    const p = revertS('force', ...history);
    expectRows(p, [1, '1', 'x'], [2, '0', null]);
    expectConflicts(p, [2, null, 'pk-taken']);
  });

  it('force restores the base of a re-inserted row\'s cells others wrote before S deleted it', () => {
    const p = revertS('force', seed, S(update(2, { a: '5' })), others(update(2, { a: '6' })), S(remove(2)));
    expectRows(p, [1, '1', 'x'], [2, '2', 'y']);
    expectConflicts(p);
  });

  it('force leaves a row others deleted deleted, and still reports it', () => {
    const p = revertS('force', seed, S(update(1, { a: '5' })), others(remove(1)));
    expectRows(p, [2, '2', 'y']);
    expectConflicts(p, [1, null, 'row-deleted-later']);
  });

  it('force never touches columns S did not write', () => {
    const p = revertS('force', seed, S(update(1, { a: '5' })), others(update(1, { a: '6', b: 'z' })));
    expectRows(p, [1, '1', 'z'], [2, '2', 'y']);
    expectConflicts(p);
  });
});

describe('revert model: replay', () => {
  it('refuses what PostgreSQL would refuse: a taken key, a missing row', () => {
    const tables = [table];
    assert.throws(() => replay({ tables, transactions: [seed, others(insert(1, null, null))] }), /exists/);
    assert.throws(() => replay({ tables, transactions: [seed, S(update(3, { a: '1' }))] }), /does not exist/);
    assert.throws(() => replay({ tables, transactions: [S(remove(1))] }), /does not exist/);
  });

  it('refuses a tangled key: others deleted or inserted it between two writes of S', () => {
    const tables = [table];
    assert.throws(() => predictRevert({ tables, transactions: [seed, S(update(2, { a: '5' })), others(remove(2), insert(2, '7', 'q')), S(remove(2))] }, 'force'), /tangled/);
    assert.throws(() => predictRevert({ tables, transactions: [S(insert(3, '3', 'w')), others(remove(3)), S(insert(3, '3', 'w'))] }, 'force'), /tangled/);
  });

  it('leaves no trace of an update that changes nothing', () => {
    const { events } = replay({ tables: [table], transactions: [seed, S(update(1, { a: '1' }))] });
    assert.deepEqual(events.get('public.t')?.get('["1"]')?.map((e) => [e.by, e.op]), [['others', 'I']]);
  });
});

describe('revert model: foreign keys', () => {
  const parent = { name: 'public.p', key: ['k1', 'k2'], columns: ['k1', 'k2', 'a'] };
  const child = { name: 'public.ch', key: ['id'], columns: ['id', 'k1', 'k2', 'x'], references: { table: 'public.p', columns: [['k1', 'k1'], ['k2', 'k2']] as const } };
  const tables = [parent, child];
  const p = (k1: number, k2: string): Op => ({ kind: 'insert', table: 'public.p', row: { k1: String(k1), k2, a: null } });
  const c = (id: number, k1: number, k2: string): Op => ({ kind: 'insert', table: 'public.ch', row: { id: String(id), k1: String(k1), k2, x: null } });
  const setX = (id: number, x: string): Op => ({ kind: 'update', table: 'public.ch', key: { id: String(id) }, set: { x } });
  const dropChild = (id: number): Op => ({ kind: 'delete', table: 'public.ch', key: { id: String(id) } });
  const dropParent = (k1: number, k2: string): Op => ({ kind: 'delete', table: 'public.p', key: { k1: String(k1), k2 } });
  const revert = (mode: RevertMode, ...transactions: Transaction[]) => predictRevert({ tables, transactions }, mode);
  const keys = (prediction: Prediction, name: string) => Object.keys(prediction.after[name] ?? {});
  const conflicts = (prediction: Prediction) => prediction.conflicts.map((x) => [x.table, x.pk, x.kind]);

  it('keeps a row S inserted that a later row of others references, in every mode', () => {
    for (const mode of ['skip-conflicts', 'force'] as const) {
      const r = revert(mode, S(p(1, 'a')), others(c(1, 1, 'a')));
      assert.deepEqual(keys(r, 'public.p'), ['["1","a"]']);
      assert.deepEqual(conflicts(r), [['public.p', { k1: '1', k2: 'a' }, 'referenced-by-later-rows']]);
    }
  });

  it('deletes a row S inserted together with the rows S inserted that reference it', () => {
    const r = revert('skip-conflicts', others(p(2, 'b')), S(p(1, 'a'), c(1, 1, 'a'), c(2, 2, 'b')));
    assert.deepEqual(keys(r, 'public.p'), ['["2","b"]']);
    assert.deepEqual(keys(r, 'public.ch'), []);
    assert.deepEqual(conflicts(r), []);
  });

  it('keeps the parent of a child S inserted that others modified; force deletes both', () => {
    const history = [S(p(1, 'a'), c(1, 1, 'a')), others(setX(1, '5'))];
    const skip = revert('skip-conflicts', ...history);
    assert.deepEqual(conflicts(skip), [
      ['public.ch', { id: '1' }, 'row-modified-later'],
      ['public.p', { k1: '1', k2: 'a' }, 'referenced-by-later-rows'],
    ]);
    assert.deepEqual([keys(skip, 'public.p'), keys(skip, 'public.ch')], [['["1","a"]'], ['["1"]']]);
    const force = revert('force', ...history);
    assert.deepEqual([keys(force, 'public.p'), keys(force, 'public.ch'), conflicts(force)], [[], [], []]);
  });

  it('leaves out a row S deleted whose parent others deleted since: constraint', () => {
    const r = revert('skip-conflicts', others(p(1, 'a'), c(1, 1, 'a')), S(dropChild(1)), others(dropParent(1, 'a')));
    assert.deepEqual([keys(r, 'public.p'), keys(r, 'public.ch')], [[], []]);
    assert.deepEqual(conflicts(r), [['public.ch', { id: '1' }, 'constraint']]);
  });

  it('keeps a row S re-pointed (deleted and inserted again) when its old parent is gone: constraint, current kept', () => {
    const r = revert('skip-conflicts', others(p(1, 'a'), p(1, 'b'), c(1, 1, 'a')), S(dropChild(1)), others(dropParent(1, 'a')), S(c(1, 1, 'b')));
    assert.deepEqual(r.after['public.ch'], { '["1"]': { id: '1', k1: '1', k2: 'b', x: null } });
    assert.deepEqual(conflicts(r), [['public.ch', { id: '1' }, 'constraint']]);
  });
});
