/**
 * The writer of the crash-safety test (crash.test.ts): opens the ledger file it is given and
 * makes plan changes and usage imports as fast as it can, printing one acknowledgement line
 * after each write has committed. The test kills it with SIGKILL at a random moment.
 *
 *   node crash-child.mjs LEDGER_FILE SEED
 *
 * Lines: "loaded" (modules loaded; it then waits for "go" on standard input, so the test can
 * start the next writer while it checks the file), "ready", then "ack plan <planId> <version>"
 * or "ack import <prefix> <count>".
 */
import type { Channel, PlanConfig } from '../../../shared/domain';
import { openLedger } from '../../ledger';
import { createServices } from '..';

const [file, seedText] = process.argv.slice(2);
if (!file || !seedText) {
  process.stderr.write('usage: crash-child LEDGER_FILE SEED\n');
  process.exit(2);
}

let s = Number(seedText) >>> 0;
const random = (): number => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const CHANNELS: Channel[] = ['SMS', 'WhatsApp', 'Email'];
const SPACES = ['SP-1', 'SP-2', 'SP-3', 'SP-4'];

/** Run every code path once on a throw-away in-memory ledger, so the timed writes are warm. */
async function warmUp(): Promise<void> {
  const scratch = openLedger(':memory:');
  const s = createServices({ ledger: scratch, clock: () => Date.now() });
  s.org.createEnvironment({ id: 'ENV-W', name: 'Warm' });
  s.org.createSpace({ id: 'SP-W', environmentId: 'ENV-W', name: 'W', accountManager: { name: 'W', email: 'w@example.com' }, channels: [{ channel: 'SMS', bidirectional: true }] });
  const plan = s.plans.create('SP-W', { limit: 'channel_specific', credits: { SMS: 10 }, renew: 'weekly', rollover: true, overage: true, activation: { date: new Date(Date.now() - 9 * 86_400_000).toISOString().slice(0, 10), timeZone: 'Europe/Madrid' } }, 'w');
  const rows = ['id,spaceId,channel,direction,credits,occurredAt'];
  for (let i = 0; i < 200; i += 1) rows.push(`w${i},SP-W,SMS,MT,1,${new Date(Date.now() - i * 3_600_000).toISOString()}`);
  await s.usage.importText('w.csv', rows.join('\n'), 'w');
  const edited = s.plans.edit(plan.id, 1, { overage: false }, 'w');
  s.plans.delete(edited.id, edited.version, 'w');
  scratch.close();
}
await warmUp();
process.stdout.write('loaded\n');
await new Promise<void>((resolve) => {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    if (input.includes('go\n')) resolve();
  });
  // Never outlive the test that started it.
  process.stdin.on('end', () => process.exit(3));
});
const ledger = openLedger(file, { verify: 'none' });
const services = createServices({ ledger, clock: () => Date.now() });
if (services.org.listEnvironments().length === 0) {
  services.org.createEnvironment({ id: 'ENV-CRASH', name: 'Crash' });
  for (const id of SPACES) {
    services.org.createSpace({
      id,
      environmentId: 'ENV-CRASH',
      name: id,
      accountManager: { name: 'Ana', email: 'ana@example.com' },
      channels: CHANNELS.map((channel) => ({ channel, bidirectional: true })),
    });
  }
}

function ack(line: string): void {
  process.stdout.write(`ack ${line}\n`);
}

function randomConfig(): PlanConfig {
  const renew = random() < 0.3 ? null : random() < 0.5 ? 'weekly' : 'monthly';
  const terms = {
    renew,
    rollover: renew !== null && random() < 0.5,
    overage: random() < 0.5,
    activation: { date: new Date(Date.now() - Math.floor(random() * 40) * 86_400_000).toISOString().slice(0, 10), timeZone: 'Europe/Madrid' },
  } as const;
  if (random() < 0.3) return { limit: 'all_channels', credits: 100 + Math.floor(random() * 5000), ...terms };
  const ch = CHANNELS[Math.floor(random() * CHANNELS.length)]!;
  return { limit: 'channel_specific', credits: { [ch]: 50 + Math.floor(random() * 1000) }, ...terms };
}

let batch = 0;
const round = `r${seedText}`;
process.stdout.write('ready\n');

/**
 * Small writes, as an admin and a usage feed make them: mostly plan edits and imports of a few
 * dozen events, so that each round acknowledges dozens of writes and the suite thousands. A few
 * events arrive days late, which makes their plan replay (the riskiest write of all).
 */
async function loop(): Promise<void> {
  for (;;) {
    const space = SPACES[Math.floor(random() * SPACES.length)]!;
    const roll = random();
    if (roll < 0.5) {
      const live = services.plans.list(space);
      const target = live[Math.floor(random() * live.length)];
      try {
        if (target === undefined || roll < 0.08) {
          const plan = services.plans.create(space, randomConfig(), 'crash');
          ack(`plan ${plan.id} ${plan.version}`);
        } else if (roll < 0.46) {
          const edited = services.plans.edit(target.id, target.version, { overage: !target.config.overage }, 'crash');
          ack(`plan ${edited.id} ${edited.version}`);
        } else {
          const deleted = services.plans.delete(target.id, target.version, 'crash');
          ack(`plan ${deleted.id} ${deleted.version}`);
        }
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ApiFailure')) throw error;
      }
    } else {
      const prefix = `${round}-b${batch++}-`;
      const count = 10 + Math.floor(random() * 90);
      const lines = ['id,spaceId,channel,direction,credits,occurredAt'];
      for (let i = 0; i < count; i += 1) {
        // A live feed's traffic: stamped as it happens, so in time order with the plan changes;
        // one event in five hundred is up to three days late (its plan then replays).
        const t = random() < 0.998 ? Date.now() : Date.now() - Math.floor(random() * 3 * 86_400_000);
        lines.push(`${prefix}${i},${space},${CHANNELS[Math.floor(random() * 3)]},${random() < 0.1 ? 'MO' : 'MT'},${1 + Math.floor(random() * 5)},${new Date(t).toISOString()}`);
      }
      const report = await services.usage.importText('crash.csv', lines.join('\n'), 'crash');
      if (report.inserted !== count) throw new Error(`expected ${count} new events, got ${report.inserted}`);
      ack(`import ${prefix} ${count}`);
    }
  }
}

void loop();
