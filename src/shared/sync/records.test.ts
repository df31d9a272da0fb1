import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as wire from './records';

/**
 * The wire format stays byte for byte what consoles and platforms already read: a record parsed
 * (by the console, from a pull) and written again gives the same JSON text, its keys in the
 * order below — whatever order they arrived in.
 */
const WIRE: [string, z.ZodType, string][] = [
  ['environment', wire.environmentRecordSchema, '{"id":"ENV-1","name":"Production","updatedAt":"2026-11-01T08:00:00Z"}'],
  [
    'space',
    wire.spaceRecordSchema,
    '{"id":"SP-1","environmentId":"ENV-1","name":"Retail","accountManager":{"name":"Ana Ruiz","email":"ana@example.com"},"updatedAt":"2026-11-01T08:00:00Z"}',
  ],
  ['channel', wire.channelRecordSchema, '{"spaceId":"SP-1","environmentId":"ENV-1","channel":"SMS","bidirectional":true,"addedAt":"2026-11-01T08:00:00Z"}'],
  [
    'plan',
    wire.planRecordSchema,
    '{"id":"CP-1","spaceId":"SP-1","environmentId":"ENV-1","version":2,"config":{"limit":"channel_specific","credits":{"WhatsApp":200,"SMS":500},"renew":"half_year","rollover":false,"overage":true,"activation":{"date":"2026-11-01","timeZone":"Europe/Madrid"}},"status":"active","activatesAt":"2026-10-31T23:00:00.000Z","createdAt":"2026-11-01T08:00:00Z","createdBy":"alice","updatedAt":"2026-11-02T08:00:00Z","updatedBy":"bob","deletedAt":null}',
  ],
  [
    'history',
    wire.historyRecordSchema,
    '{"planId":"CP-1","spaceId":"SP-1","environmentId":"ENV-1","version":2,"action":"updated","actor":"bob","at":"2026-11-02T08:00:00Z","effectiveAt":"2026-11-02T08:00:00.000Z","config":{"limit":"all_channels","credits":1000,"renew":null,"rollover":false,"overage":false,"activation":{"date":"2026-11-01","timeZone":"UTC"}},"changes":[{"field":"credits.SMS","old":400,"new":500}],"changeId":"chg-1"}',
  ],
  [
    'history (a deletion)',
    wire.historyRecordSchema,
    '{"planId":"CP-2","spaceId":"SP-1","environmentId":"ENV-1","version":3,"action":"deleted","actor":"carol","at":"2026-11-03T08:00:00Z","effectiveAt":"2026-11-03T08:00:00.000Z","config":{"limit":"channel_specific","credits":{"SMS":500,"Email":80},"renew":"monthly","rollover":true,"overage":false,"activation":{"date":"2026-11-01","timeZone":"America/Mexico_City"}},"changes":[],"changeId":"chg-2"}',
  ],
  [
    'plan state',
    wire.planStateRecordSchema,
    '{"planId":"CP-1","version":2,"at":"2026-11-15T10:00:00.000Z","period":{"index":0,"start":"2026-10-31T23:00:00.000Z","end":"2026-11-30T23:00:00.000Z"},"buckets":{"SMS":{"allocated":500,"used":520,"remaining":480,"carriedIn":0,"overage":{"added":500,"at":"2026-11-10T09:00:00.000Z"}},"WhatsApp":{"allocated":200,"used":0,"remaining":200,"carriedIn":0,"overage":{"added":0,"at":null}}}}',
  ],
  [
    'notification',
    wire.notificationRecordSchema,
    '{"id":"N-1","planId":"CP-1","planVersion":2,"spaceId":"SP-1","environmentId":"ENV-1","kind":"updated","to":"Ana Ruiz <ana@example.com>","subject":"Credit Plan Updated: Space Retail (CP-1)","text":"What changed","html":"<p>What changed</p>","status":"failed","attempts":2,"lastError":"421 try later","nextAttemptAt":"2026-11-02T08:05:00.000Z","createdAt":"2026-11-02T08:00:00.000Z","updatedAt":"2026-11-02T08:01:00.000Z","sentAt":null}',
  ],
];

/** The same record with its own keys in reverse order (a plan's channels keep theirs: display order). */
function reversed(value: object): object {
  return Object.fromEntries(Object.entries(value).reverse());
}

describe('the central wire format', () => {
  it.each(WIRE)('a %s record round-trips to the same JSON text', (_name, schema, text) => {
    expect(JSON.stringify(schema.parse(JSON.parse(text)))).toBe(text);
    expect(JSON.stringify(schema.parse(reversed(JSON.parse(text) as object)))).toBe(text);
  });
});
