// Small readers over libpg-query's JSON AST, whose nodes are one-key objects ({ "String": { "sval": … } }).
import type { Node, RangeVar, TypeName } from 'libpg-query';

/** The payload of a node of one kind, or undefined if the node is of another kind. */
export function nodeOf<K extends NodeKind>(node: Node | undefined, kind: K): NodePayload<K> | undefined {
  if (node === undefined || !(kind in node)) return undefined;
  return (node as unknown as Record<K, NodePayload<K>>)[kind];
}

type NodeKind = Node extends infer N ? (N extends unknown ? keyof N : never) : never;
type NodePayload<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];

/** The strings of a list of String nodes (a qualified name), in order. */
export function names(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).flatMap((node) => {
    const value = nodeOf(node, 'String')?.sval;
    return value === undefined ? [] : [value];
  });
}

/**
 * How lint names a table, view or type: `name`, or `schema.name` outside public. The parser has already
 * folded unquoted identifiers to lower case, so names compare as PostgreSQL would.
 */
export function qualified(schema: string | undefined, name: string): string {
  return schema === undefined || schema === '' || schema === 'public' ? name : `${schema}.${name}`;
}

export function relationName(relation: RangeVar | undefined): string {
  return qualified(relation?.schemaname, relation?.relname ?? '?');
}

/** A qualified name given as a list (`{schema, name}` or `{name}`), as in DROP TYPE and CREATE TYPE. */
export function listName(parts: readonly string[]): string {
  const name = parts.at(-1) ?? '?';
  return qualified(parts.length > 1 ? parts.at(-2) : undefined, name);
}

/** A type as written, normalised: `varchar(20)`, `numeric(10,2)`, `text[]`, `public.mood`. */
export function typeText(type: TypeName | undefined): string {
  const parts = names(type?.names).filter((part) => part !== 'pg_catalog');
  const mods = typeModifiers(type);
  const base = `${parts.join('.')}${mods.length > 0 ? `(${mods.join(',')})` : ''}`;
  return base + '[]'.repeat(type?.arrayBounds?.length ?? 0);
}

/** The base type's name without its schema (`varchar`, `int4`, `mood`). */
export function typeBase(type: TypeName | undefined): string {
  return names(type?.names).at(-1) ?? '?';
}

/** Integer type modifiers (`varchar(20)` → [20]); anything else is kept as NaN, so it never compares as a widening. */
export function typeModifiers(type: TypeName | undefined): number[] {
  return (type?.typmods ?? []).map((mod) => {
    const constant = nodeOf(mod, 'A_Const');
    // The parser's JSON leaves out zeros: `numeric(10,0)` has `{ ival: {} }` for its scale.
    return constant?.ival === undefined ? Number.NaN : (constant.ival.ival ?? 0);
  });
}
