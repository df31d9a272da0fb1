import type { UsageDecisionRecord } from '../../shared/sync';

/**
 * The body of a batch's answer, `{"decisions":[…]}`, written as bytes by hand.
 *
 * A batch of 1,000 decisions is ~140 kB of JSON. Through fastify's generic path the reply was
 * serialized, measured (`Buffer.byteLength`) and encoded again on write: about 2 µs per event,
 * a third of the service's own CPU in the batch benchmark. Concatenating one string for the
 * whole answer and encoding it at the end still cost ~1.1 µs per event, most of it flattening
 * the concatenation. So each decision is one short string written straight into a Buffer, the
 * strings that repeat (plan ids, buckets) are escaped once, and an id is escaped only when it
 * holds a character JSON escapes (~0.4 µs per event). The text is what JSON.stringify writes
 * (keys in the schema's order), which the test checks on random decisions.
 */

/** Characters JSON.stringify writes otherwise than as themselves (lone surrogates included). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

export function decisionsJson(decisions: readonly UsageDecisionRecord[]): Buffer {
  const quoted = new Map<string, string>();
  const quote = (text: string): string => {
    let q = quoted.get(text);
    if (q === undefined) quoted.set(text, (q = JSON.stringify(text)));
    return q;
  };
  let out = Buffer.allocUnsafe(decisions.length * 160 + 32);
  let at = out.write('{"decisions":[', 0, 'latin1');
  /** Room for `bytes` more, in a Buffer twice as large when the estimate fell short. */
  const reserve = (bytes: number) => {
    if (out.length - at >= bytes) return;
    const larger = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
    out.copy(larger, 0, 0, at);
    out = larger;
  };
  let lastPlan: string | null = null;
  let lastPlanJson = 'null';
  for (let i = 0; i < decisions.length; i += 1) {
    const d = decisions[i]!;
    if (d.planId !== lastPlan) {
      lastPlan = d.planId;
      lastPlanJson = d.planId === null ? 'null' : quote(d.planId);
    }
    const item =
      (i === 0 ? '{"id":' : ',{"id":') +
      (ESCAPED.test(d.id) ? JSON.stringify(d.id) : '"' + d.id + '"') +
      (d.accepted ? ',"accepted":true' : ',"accepted":false') +
      (d.reason === undefined ? '' : ',"reason":"' + d.reason + '"') +
      ',"planId":' +
      lastPlanJson +
      ',"bucket":' +
      (d.bucket === null ? 'null' : quote(d.bucket)) +
      ',"consumed":' +
      d.consumed +
      (d.overageTriggered ? ',"overageTriggered":true' : ',"overageTriggered":false') +
      (d.duplicate ? ',"duplicate":true}' : ',"duplicate":false}');
    // At most 3 bytes per UTF-16 unit; the closing "]}" needs 2 more.
    reserve(item.length * 3 + 2);
    at += out.write(item, at, 'utf8');
  }
  reserve(2);
  at += out.write(']}', at, 'latin1');
  return out.subarray(0, at);
}
