import { CHANNELS } from '../../shared/domain';

/**
 * How a usage event's channel and direction are stored: one small integer, `kind` =
 * channel index × 2 + (1 for MO). Raw events are the ledger's largest table by far; whole
 * numbers instead of three strings per row (with the space as a number too, `space_refs`) make
 * each row and index entry smaller, and the import writes a third more rows a second.
 * The writer (usage-import/import.ts) computes the same number from its columns.
 */
/** SQL giving the channel name of a `kind` column (for reads that want the name). */
export function channelSql(column: string): string {
  return `CASE ${column} >> 1 ${CHANNELS.map((c, i) => `WHEN ${i} THEN '${c}'`).join(' ')} END`;
}

/** SQL giving 'MT' or 'MO' from a `kind` column. */
export function directionSql(column: string): string {
  return `CASE ${column} & 1 WHEN 1 THEN 'MO' ELSE 'MT' END`;
}

/** SQL true for an MT event's `kind`. */
export function isMtSql(column: string): string {
  return `(${column} & 1) = 0`;
}

/** SQL giving the `kind` of text columns channel and direction (the migration from version 5). */
export function kindFromTextSql(channel: string, direction: string): string {
  return `(CASE ${channel} ${CHANNELS.map((c, i) => `WHEN '${c}' THEN ${i}`).join(' ')} END) * 2 + (CASE ${direction} WHEN 'MO' THEN 1 ELSE 0 END)`;
}
