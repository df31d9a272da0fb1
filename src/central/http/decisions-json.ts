import type { UsageDecisionRecord } from '../../shared/sync';

/**
 * The body of a batch's answer, `{"decisions":[…]}`, written as bytes by hand.
 *
 * A batch of 1,000 decisions is ~120 kB of JSON. Through fastify's generic path the reply was
 * serialized, measured (`Buffer.byteLength`) and encoded again on write: about 2 µs per event,
 * a third of the service's own CPU in the batch benchmark. The decisions are flat records of a
 * known shape, so the text is concatenated field by field, the strings that repeat (plan ids) are
 * escaped once, and the whole is encoded once; a Buffer goes out with its length known. The output
 * parses to the same records as JSON.stringify's would (keys in the schema's order), which the
 * test checks on random decisions.
 */
export function decisionsJson(decisions: readonly UsageDecisionRecord[]): Buffer {
  const quoted = new Map<string, string>();
  const quote = (text: string): string => {
    let q = quoted.get(text);
    if (q === undefined) quoted.set(text, (q = JSON.stringify(text)));
    return q;
  };
  let out = '{"decisions":[';
  for (let i = 0; i < decisions.length; i += 1) {
    const d = decisions[i]!;
    out +=
      (i === 0 ? '{"id":' : ',{"id":') +
      JSON.stringify(d.id) +
      (d.accepted ? ',"accepted":true' : ',"accepted":false') +
      (d.reason === undefined ? '' : `,"reason":"${d.reason}"`) +
      ',"planId":' +
      (d.planId === null ? 'null' : quote(d.planId)) +
      ',"bucket":' +
      (d.bucket === null ? 'null' : quote(d.bucket)) +
      ',"consumed":' +
      String(d.consumed) +
      (d.overageTriggered ? ',"overageTriggered":true' : ',"overageTriggered":false') +
      (d.duplicate ? ',"duplicate":true}' : ',"duplicate":false}');
  }
  return Buffer.from(out + ']}', 'utf8');
}
