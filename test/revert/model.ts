// An independent model of DESIGN.md's "Revert semantics (normative)": replays a history of row
// operations on in-memory rows and predicts what `revert S` leaves behind, in each mode. It is written
// from DESIGN.md alone, never from the journal or the engine, so the property test can hold one against
// the other. Values are PostgreSQL text forms (null for SQL NULL), compared as text, as capture does:
// an UPDATE that leaves a value's text unchanged is no write at all (the journal never sees it).
//
// Readings of cases DESIGN.md leaves open (each also has an example in model.test.ts):
// - The unit is the row key. S's net effect on a key is read from S's first and last write to it:
//   inserted (first I, last not D), deleted (first not I, last D), updated (neither), or inserted and
//   deleted (first I, last D: nothing to do, even if others updated the row in between).
// - Tangled keys are out of scope: when others delete or insert a key between S's first and last write
//   to it, S wrote more than one life of the row, and DESIGN.md does not say which to restore. The model
//   refuses such histories (the generator never makes them).
// - S inserted a row that is gone now (others deleted it): nothing to do, no conflict (current = base).
// - S inserted a row others wrote later, even by deleting it and inserting the key again: row-modified-later.
// - S deleted a row: the row comes back with, per column, the value before S's first write to it (S's
//   earlier updates of the row are undone too; others' writes to columns S had not updated are kept).
//   A column S updated that others then wrote before S's delete is a cell-changed-later conflict, and
//   as a conflict keeps current, the row stays out. Writes to the key after S's delete are another
//   row's: if one holds the key now, pk-taken (unless it is exactly the row as it was before S: then
//   the revert is already done); if it is gone again, the row is re-inserted.
// - S updated a row others deleted later: one row-deleted-later conflict for the row (column null).
// - S updated a row others had inserted: an ordinary update (base = others' values).
// - A cell S wrote back to its base (1 -> 2 -> 1) and others changed later is still a cell S wrote:
//   cell-changed-later, as the rule reads.
// - force restores base over later writes (cell-changed-later) and deletes rows S inserted that others
//   wrote later (row-modified-later); it never resurrects a row others deleted (row-deleted-later), takes
//   a key someone else holds (pk-taken) or deletes a referenced row. Its conflicts are only those it left
//   in place. strict applies nothing when skip-conflicts would report anything, and reports all of it.
// - Foreign keys: a row S inserted that the revert would delete is kept as referenced-by-later-rows when
//   a row the revert leaves in place (or re-inserts) references it; if it is kept anyway (modified
//   later), only row-modified-later is reported. A row the revert would re-insert whose parent is gone is
//   a constraint conflict and stays out; a row whose foreign key the revert would point at a parent
//   that is gone is a constraint conflict and keeps all its current values (a row is restored whole or
//   not at all).
import type { ConflictKind, RevertMode } from '../../src/revert/types.js';

export type Value = string | null;
export type Row = Readonly<Record<string, Value>>;
export type Who = 'S' | 'others';

export interface TableDef {
  /** schema.table, as conflicts name it. */
  readonly name: string;
  readonly key: readonly string[];
  /** Every column, key columns included. */
  readonly columns: readonly string[];
  /** A foreign key: these columns (child, parent) name a row of that table. */
  readonly references?: { readonly table: string; readonly columns: readonly (readonly [string, string])[] };
}

/** One statement on one row. An update names the row by its key and never changes key columns. */
export type Op =
  | { readonly kind: 'insert'; readonly table: string; readonly row: Row }
  | { readonly kind: 'update'; readonly table: string; readonly key: Row; readonly set: Row }
  | { readonly kind: 'delete'; readonly table: string; readonly key: Row };

/** One transaction: tagged as the selected change set S, or untagged ("others"). */
export interface Transaction {
  readonly by: Who;
  readonly ops: readonly Op[];
}

export interface History {
  readonly tables: readonly TableDef[];
  /** In commit order; a seed is simply a first transaction by others. */
  readonly transactions: readonly Transaction[];
}

/** A table's rows keyed by the JSON of their key values, in key order. */
export type Rows = Readonly<Record<string, Row>>;
/** Every table's rows, by table name. */
export type State = Readonly<Record<string, Rows>>;

export interface ModelConflict {
  readonly table: string;
  readonly pk: Readonly<Record<string, string>>;
  readonly column: string | null;
  readonly kind: ConflictKind;
}

export interface Prediction {
  /** The tables right before the revert. */
  readonly before: State;
  /** The tables after `revert S` in the mode asked for. */
  readonly after: State;
  /** The conflicts that revert reports, sorted. */
  readonly conflicts: readonly ModelConflict[];
}

/** What one statement did to one row, as the journal sees it. I and D write every column. */
interface Event {
  readonly by: Who;
  readonly op: 'I' | 'U' | 'D';
  readonly before: Row | null;
  readonly after: Row | null;
  readonly wrote: ReadonlySet<string>;
}

interface Replayed {
  readonly rows: Map<string, Map<string, Row>>;
  readonly events: Map<string, Map<string, Event[]>>;
}

export function keyOf(row: Row, key: readonly string[]): string {
  return JSON.stringify(key.map((column) => row[column] ?? null));
}

function tableOf(history: History, name: string): TableDef {
  const def = history.tables.find((table) => table.name === name);
  if (def === undefined) throw new Error(`model: no table ${name}`);
  return def;
}

/** Plays the history on in-memory rows. Throws on an operation PostgreSQL would refuse. */
export function replay(history: History): Replayed {
  const rows = new Map(history.tables.map((table) => [table.name, new Map<string, Row>()]));
  const events = new Map(history.tables.map((table) => [table.name, new Map<string, Event[]>()]));
  for (const { by, ops } of history.transactions) {
    for (const op of ops) {
      const def = tableOf(history, op.table);
      const table = rows.get(def.name)!;
      const key = keyOf(op.kind === 'insert' ? op.row : op.key, def.key);
      const before = table.get(key) ?? null;
      let event: Event;
      if (op.kind === 'insert') {
        if (before !== null) throw new Error(`model: insert of ${def.name} ${key}, which exists`);
        const after = Object.fromEntries(def.columns.map((column) => [column, op.row[column] ?? null]));
        event = { by, op: 'I', before, after, wrote: new Set(def.columns) };
      } else if (before === null) {
        throw new Error(`model: ${op.kind} of ${def.name} ${key}, which does not exist`);
      } else if (op.kind === 'delete') {
        event = { by, op: 'D', before, after: null, wrote: new Set(def.columns) };
      } else {
        const after = { ...before, ...op.set };
        const wrote = new Set(def.columns.filter((column) => after[column] !== before[column]));
        if (def.key.some((column) => wrote.has(column))) throw new Error('model: updates never change a key');
        if (wrote.size === 0) continue;
        event = { by, op: 'U', before, after, wrote };
      }
      if (event.after === null) table.delete(key);
      else table.set(key, event.after);
      const perKey = events.get(def.name)!;
      perKey.set(key, [...(perKey.get(key) ?? []), event]);
    }
  }
  return { rows, events };
}

/** What the revert does to one key: the row it leaves in skip-conflicts and in force mode, and why. */
interface RowPlan {
  /** S inserted the row (and did not delete it again). */
  readonly inserted: boolean;
  readonly clean: Row | null;
  readonly forced: Row | null;
  /** `overridable`: force overwrites it; the rest stay conflicts in every mode. */
  readonly conflicts: readonly { readonly column: string | null; readonly kind: ConflictKind; readonly overridable: boolean }[];
}

function planRow(def: TableDef, events: readonly Event[], current: Row | null): RowPlan {
  const keep = { inserted: false, clean: current, forced: current };
  const first = events.findIndex((e) => e.by === 'S');
  const last = events.findLastIndex((e) => e.by === 'S');
  if (first < 0) return { ...keep, conflicts: [] };
  if (events.slice(first + 1, last).some((e) => e.by === 'others' && e.op !== 'U')) {
    throw new Error(`model: tangled key in ${def.name}: others deleted or inserted it between S's writes`);
  }
  const base = events[first]!.before;
  const written = events[last]!.after;
  const othersWrote = (column: string | null, from: number, to: number) =>
    events.slice(from + 1, to).some((e) => e.by === 'others' && (column === null || e.wrote.has(column)));
  const firstWrite = (column: string) => events.findIndex((e) => e.by === 'S' && e.wrote.has(column));
  const valueBefore = (column: string) => events[firstWrite(column)]!.before?.[column] ?? null;
  const cells = def.columns.filter((column) => !def.key.includes(column) && firstWrite(column) >= 0);

  if (base === null && written === null) return { ...keep, conflicts: [] };
  if (base === null) {
    if (current === null) return { ...keep, conflicts: [] };
    if (othersWrote(null, first, events.length)) {
      const conflicts = [{ column: null, kind: 'row-modified-later', overridable: true }] as const;
      return { inserted: true, clean: current, forced: null, conflicts };
    }
    return { inserted: true, clean: null, forced: null, conflicts: [] };
  }
  if (written === null) {
    if (current !== null) {
      // The row back exactly as it was before S: already reverted (a second run), not a taken key.
      if (def.columns.every((column) => current[column] === valueBefore(column))) return { ...keep, conflicts: [] };
      return { ...keep, conflicts: [{ column: null, kind: 'pk-taken', overridable: false }] };
    }
    const clean: Record<string, Value> = {};
    const forced: Record<string, Value> = {};
    const conflicts: { column: string; kind: ConflictKind; overridable: boolean }[] = [];
    for (const column of def.columns) {
      forced[column] = valueBefore(column);
      const later = cells.includes(column) && othersWrote(column, firstWrite(column), last);
      clean[column] = later ? events[last]!.before![column] ?? null : valueBefore(column);
      if (later && clean[column] !== forced[column]) conflicts.push({ column, kind: 'cell-changed-later', overridable: true });
    }
    // A conflict keeps current, and current is no row: the row stays out (force puts it back).
    return { ...keep, clean: conflicts.length > 0 ? null : clean, forced, conflicts };
  }
  if (current === null) return { ...keep, conflicts: [{ column: null, kind: 'row-deleted-later', overridable: false }] };
  const clean: Record<string, Value> = { ...current };
  const forced: Record<string, Value> = { ...current };
  const conflicts: { column: string; kind: ConflictKind; overridable: boolean }[] = [];
  for (const column of cells) {
    const was = valueBefore(column);
    forced[column] = was;
    if (!othersWrote(column, firstWrite(column), events.length)) clean[column] = was;
    else if (current[column] !== was) conflicts.push({ column, kind: 'cell-changed-later', overridable: true });
  }
  return { ...keep, clean, forced, conflicts };
}

function sortedRows(rows: ReadonlyMap<string, Row>): Rows {
  return Object.fromEntries([...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function conflictId(conflict: ModelConflict): string {
  return JSON.stringify([conflict.table, conflict.pk, conflict.column, conflict.kind]);
}

type Outcome = Map<string, Map<string, Row>>;

/**
 * Foreign keys, in one outcome (skip-conflicts' or force's): a row S inserted that the revert would
 * delete stays while a row the revert leaves references it (referenced-by-later-rows); then a row the
 * revert would re-insert or re-point at a parent that is missing stays as it is now (constraint).
 * Keeping parents first means a re-inserted child keeps the parent S inserted.
 */
function checkReferences(history: History, plans: Map<string, Map<string, RowPlan>>, current: Outcome, outcome: Outcome, report: (table: string, key: string, kind: ConflictKind) => void): void {
  // A child kept as it is now may point at a parent the revert meant to delete: repeat until nothing moves.
  let moved = true;
  while (moved) {
    moved = false;
    for (const child of history.tables) {
      if (child.references === undefined) continue;
      const parent = tableOf(history, child.references.table);
      const pairs = child.references.columns;
      const parentKey = (row: Row) => JSON.stringify(parent.key.map((p) => row[pairs.find(([, q]) => q === p)![0]] ?? null));
      const parents = outcome.get(parent.name)!;
      const children = outcome.get(child.name)!;
      const referenced = new Set([...children.values()].map(parentKey));
      for (const [key, plan] of plans.get(parent.name)!) {
        const row = current.get(parent.name)!.get(key);
        if (plan.inserted && row !== undefined && !parents.has(key) && referenced.has(key)) {
          parents.set(key, row);
          report(parent.name, key, 'referenced-by-later-rows');
          moved = true;
        }
      }
      for (const [key, row] of children) {
        const now = current.get(child.name)!.get(key);
        if (parents.has(parentKey(row)) || (now !== undefined && parentKey(now) === parentKey(row))) continue;
        if (now === undefined) children.delete(key);
        else children.set(key, now);
        report(child.name, key, 'constraint');
        moved = true;
      }
    }
  }
}

/** Predicts the tables before and after `revert S` in `mode`, and the conflicts it reports. */
export function predictRevert(history: History, mode: RevertMode): Prediction {
  const { rows, events } = replay(history);
  const plans = new Map<string, Map<string, RowPlan>>();
  const clean: Outcome = new Map();
  const forced: Outcome = new Map();
  const conflicts = { clean: [] as ModelConflict[], forced: [] as ModelConflict[] };
  const pkOf = (def: TableDef, key: string) =>
    Object.fromEntries(def.key.map((column, i) => [column, String((JSON.parse(key) as Value[])[i])]));
  for (const def of history.tables) {
    const current = rows.get(def.name)!;
    const perTable = new Map<string, RowPlan>();
    clean.set(def.name, new Map(current));
    forced.set(def.name, new Map(current));
    for (const [key, perKey] of events.get(def.name)!) {
      const plan = planRow(def, perKey, current.get(key) ?? null);
      perTable.set(key, plan);
      for (const { column, kind, overridable } of plan.conflicts) {
        const conflict = { table: def.name, pk: pkOf(def, key), column, kind };
        conflicts.clean.push(conflict);
        if (!overridable) conflicts.forced.push(conflict);
      }
      for (const [outcome, row] of [[clean, plan.clean], [forced, plan.forced]] as const) {
        if (row === null) outcome.get(def.name)!.delete(key);
        else outcome.get(def.name)!.set(key, row);
      }
    }
    plans.set(def.name, perTable);
  }
  for (const [outcome, reported] of [[clean, conflicts.clean], [forced, conflicts.forced]] as const) {
    checkReferences(history, plans, rows, outcome, (table, key, kind) =>
      reported.push({ table, pk: pkOf(tableOf(history, table), key), column: null, kind }));
  }
  const sorted = (outcome: Outcome): State =>
    Object.fromEntries(history.tables.map((def) => [def.name, sortedRows(outcome.get(def.name)!)]));
  const chosen = mode === 'force' ? conflicts.forced : conflicts.clean;
  const after = mode === 'force' ? forced : mode === 'strict' && chosen.length > 0 ? rows : clean;
  return {
    before: sorted(rows),
    after: sorted(after),
    conflicts: [...chosen].sort((a, b) => (conflictId(a) < conflictId(b) ? -1 : 1)),
  };
}
