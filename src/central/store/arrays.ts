/**
 * PostgreSQL array literals for large parameters. The `pg` driver escapes every element of an
 * array parameter, numbers included, with two regular expressions: for a group of 1,000 events
 * that is most of the cost of sending it. Integers need no escaping, and a text needs it only
 * when it holds a quote or a backslash.
 */
const NEEDS_ESCAPE = /["\\]/;

export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    if (i > 0) out += ',';
    out += NEEDS_ESCAPE.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
  }
  return `${out}}`;
}

/** Integers only (safe integers: what the service stores). */
export function integerArrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** Texts or NULLs (a NULL element is written bare, a text always quoted). */
export function nullableTextArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    if (i > 0) out += ',';
    out += value === null ? 'NULL' : NEEDS_ESCAPE.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : `"${value}"`;
  }
  return `${out}}`;
}
