/** A column as the seeder sees it (sql/table-shapes.sql). */
export interface ColumnShape {
  readonly name: string;
  /** `schema.table.column` as the catalog snapshot names it. */
  readonly object: string;
  /** An enum column's type as the catalog snapshot names it (`public.mood`), else null. */
  readonly enumType: string | null;
  /** format_type of the column's type: `character varying(20)`, `public.mood`, `integer[]`. */
  readonly type: string;
  /** The same for a domain's base type; the column's own type otherwise. */
  readonly base: string;
  /** pg_type.typcategory of the base type: N numeric, S string, D date/time, E enum, A array… */
  readonly category: string;
  readonly isArray: boolean;
  /** An enum's labels, in order. */
  readonly labels: readonly string[] | null;
  readonly notNull: boolean;
  /** It has a default, an identity or a generation expression: rows may leave it out. */
  readonly filled: boolean;
  /** Generated, or identity ALWAYS: rows must leave it out. */
  readonly generated: boolean;
  /** pg_get_constraintdef of the CHECKs on this column alone, and on its domain. */
  readonly checks: readonly string[];
  /** When it is the partition key: each partition's bound (`FOR VALUES FROM (…) TO (…)`). */
  readonly partitionBounds: readonly string[] | null;
}

/** `plain` numbers count up (unique columns stay unique); `small` ones stay within 1–3, for a CHECK that bounds them. */
export type Flavor = 'plain' | 'small';

/**
 * A SQL expression for a sample value of `column` in the seeded row number `n` (an SQL expression too,
 * distinct per row, so unique columns get distinct values), cast to the column's type; or null when
 * there is no sample for the type. `edge` asks for the value the newest schema just made possible: the
 * longest string, the widest number, the enum's `freshLabel`.
 */
export function sampleValue(column: ColumnShape, n: string, edge: { freshLabel: string | null } | null, flavor: Flavor = 'plain'): string | null {
  const value = edge === null ? plainValue(column, n, flavor) : (edgeValue(column, n, edge.freshLabel) ?? plainValue(column, n, flavor));
  return value === null ? null : `(${value})::${column.type}`;
}

function plainValue(column: ColumnShape, n: string, flavor: Flavor): string | null {
  // A value the table names itself (a partition's bound, a CHECK's list) beats any made up.
  const named = column.partitionBounds === null ? allowedByChecks(column.checks) : column.partitionBounds.map(firstBoundValue);
  const choices = named.filter((v): v is string => v !== null);
  if (choices.length > 0) return `(array[${choices.join(', ')}])[1 + ${n} % ${choices.length}]`;
  if (column.isArray) return "'{}'";
  const base = column.base;
  const length = declaredLength(base);
  switch (column.category) {
    case 'N':
      return flavor === 'small' ? `1 + ${n} % 3` : numberValue(base, n);
    case 'S':
      if (length === null) return flavor === 'small' ? `'seed_' || translate(${n}::text, '0123456789', 'abcdefghij')` : stringValue(`${column.name} ${column.type}`, n);
      // Short codes: lower case first, upper case letters when a CHECK refused that (currency codes).
      return flavor === 'small' ? `right(repeat('A', ${length}) || translate(${n}::text, '0123456789', 'ABCDEFGHIJ'), ${length})` : `right('s' || ${n}, ${length})`;
    case 'B':
      return `${n} % 2 = 0`;
    case 'E':
      return column.labels === null || column.labels.length === 0 ? null : `(${literalArray(column.labels)})[1 + ${n} % ${column.labels.length}]`;
    case 'D':
      return dateValue(base, n);
    case 'T':
      return `${n} * interval '1 minute'`;
    case 'I':
      return `'10.0.0.0'::inet + ${n} % 16777216`;
    case 'V':
      return length === null ? "B'1'" : `repeat('1', ${length})::bit varying`;
    case 'G':
      return base === 'point' ? `point(${n}, ${n})` : null;
    case 'R':
      return "'empty'";
    default:
      return userValue(base, n);
  }
}

function edgeValue(column: ColumnShape, n: string, freshLabel: string | null): string | null {
  if (column.isArray) return null;
  const base = column.base;
  const length = declaredLength(base);
  switch (column.category) {
    case 'N': {
      if (base === 'bigint') return `2147483648 + ${n}`;
      const precision = /^numeric\((\d+),(\d+)\)$/.exec(base);
      if (precision === null) return null;
      const [whole, scale] = [Number(precision[1]) - Number(precision[2]), Number(precision[2])];
      return `'${'9'.repeat(Math.max(whole, 0)) || '0'}${scale > 0 ? `.${'9'.repeat(scale)}` : ''}'`;
    }
    case 'S':
      return length === null ? `rpad('edge ' || ${n}, 300, 'x')` : `rpad('e' || ${n}, ${length}, 'x')`;
    case 'E':
      return freshLabel === null ? null : literal(freshLabel);
    default:
      return null;
  }
}

/** Lower case, digits and hyphens pass most format CHECKs; an email or URL column gets the shape its name asks for. */
function stringValue(names: string, n: string): string {
  if (/e_?mail/i.test(names)) return `'seed' || ${n} || '@example.com'`;
  if (/url|uri|link|website/i.test(names)) return `'https://example.com/seed-' || ${n}`;
  return `'seed-' || ${n}`;
}

/** The quoted literals of a CHECK of the form `col = ANY (ARRAY['a'::text, …])` or `col IN (…)`, as SQL. */
function allowedByChecks(checks: readonly string[]): (string | null)[] {
  for (const check of checks) {
    const list = /= ANY \(+ARRAY\[(.*)\]\)/.exec(check)?.[1];
    if (list === undefined) continue;
    const literals = [...list.matchAll(/'(?:[^']|'')*'/g)].map((m) => m[0]);
    if (literals.length > 0) return literals;
  }
  return [];
}

/** The first value a partition's bound admits: the FROM of a range, the first of a list; null for DEFAULT, MINVALUE or a hash. */
function firstBoundValue(bound: string): string | null {
  const values = /FROM \((.+?)\) TO|IN \((.+?)\)/.exec(bound);
  const first = (values?.[1] ?? values?.[2])?.split(',')[0]?.trim();
  return first === undefined || /^(MINVALUE|MAXVALUE)$/i.test(first) ? null : first;
}

function numberValue(base: string, n: string): string | null {
  if (base === 'smallint') return `${n} % 32000`;
  if (base === 'integer' || base === 'bigint' || base === 'oid') return n;
  if (base === 'real' || base === 'double precision') return `${n} + 0.5`;
  if (base === 'money') return `${n}::numeric`;
  const precision = /^numeric\((\d+),(\d+)\)$/.exec(base);
  if (precision !== null) {
    const whole = Number(precision[1]) - Number(precision[2]);
    return whole <= 0 ? '0' : `${n} % ${10 ** Math.min(whole, 9)}`;
  }
  return base === 'numeric' ? `${n} + 0.25` : null;
}

function dateValue(base: string, n: string): string | null {
  if (base === 'date') return `date '2024-01-01' + ${n}::int`;
  if (base.startsWith('timestamp')) return `timestamptz '2024-01-01 00:00:00+00' + ${n} * interval '1 hour'`;
  if (base.startsWith('time')) return `time '09:00' + ${n} * interval '1 second'`;
  return null;
}

/** Types outside the core categories that migrations commonly use, contrib's among them. */
function userValue(base: string, n: string): string | null {
  switch (base.replace(/^.*\./, '')) {
    case 'uuid':
      return `md5('seed' || ${n})::uuid`;
    case 'json':
    case 'jsonb':
      return `json_build_object('seed', ${n})::text`;
    case 'bytea':
      return `convert_to('seed ' || ${n}, 'UTF8')`;
    case 'xml':
      return `'<seed n="' || ${n} || '"/>'`;
    case 'tsvector':
      return `to_tsvector('simple', 'seed ' || ${n})`;
    case 'tsquery':
      return "'seed'";
    case 'citext':
      return `'seed ' || ${n}`;
    case 'hstore':
      return `'seed=>' || ${n}`;
    case 'ltree':
      return `'seed.n' || ${n}`;
    case 'macaddr':
      return "'08:00:2b:01:02:03'";
    default:
      return null;
  }
}

/** The n of `character varying(n)`, `character(n)`, `bit(n)`. */
function declaredLength(type: string): number | null {
  const match = /^(?:character varying|character|bit varying|bit)\((\d+)\)$/.exec(type);
  return match === null ? null : Number(match[1]);
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function literalArray(items: readonly string[]): string {
  return `array[${items.map(literal).join(', ')}]`;
}
