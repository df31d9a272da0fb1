import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../domain';
import { calculateCredits, formatHundredths } from './calculator';

describe('the credit calculator', () => {
  it('multiplies messages by each channel’s credits per message (default 1) and averages them', () => {
    const { result, issues } = calculateCredits({ messagesPerMonth: { SMS: 1000, WhatsApp: 500, Email: 0 }, creditsPerMessage: { WhatsApp: 2, RCS: 3 } });
    expect(issues).toEqual([]);
    expect(result).toEqual({
      lines: [
        { channel: 'SMS', messages: 1000, creditsPerMessage: 1, credits: 1000 },
        { channel: 'WhatsApp', messages: 500, creditsPerMessage: 2, credits: 1000 },
      ],
      messages: 1500,
      monthlyCredits: 2000,
      averageHundredths: 133,
      fitsInAPlan: true,
    });
    expect(formatHundredths(result!.averageHundredths!)).toBe('1.33');
  });

  it('rounds the average half up, says when nothing is expected, and when the total exceeds a plan', () => {
    expect(calculateCredits({ messagesPerMonth: { SMS: 8, RCS: 0 }, creditsPerMessage: { SMS: 1 } }).result!.averageHundredths).toBe(100);
    expect(calculateCredits({ messagesPerMonth: { SMS: 1, RCS: 7 }, creditsPerMessage: { RCS: 2 } }).result!.averageHundredths).toBe(188); // 15/8 = 1.875
    expect(calculateCredits({ messagesPerMonth: {} }).result).toMatchObject({ lines: [], messages: 0, monthlyCredits: 0, averageHundredths: null, fitsInAPlan: true });
    expect(calculateCredits({ messagesPerMonth: { SMS: 10 ** 12 }, creditsPerMessage: { SMS: 2 } }).result!.fitsInAPlan).toBe(false);
    expect(formatHundredths(5)).toBe('0.05');
  });

  it('names every bad input and computes nothing then', () => {
    const { result, issues } = calculateCredits({ messagesPerMonth: { SMS: -1, WhatsApp: 1.5, Fax: 3 } as never, creditsPerMessage: { Email: 0 } });
    expect(result).toBeNull();
    expect(issues.map((i) => i.path)).toEqual(['messagesPerMonth.SMS', 'messagesPerMonth.WhatsApp', 'creditsPerMessage.Email', 'messagesPerMonth.Fax']);
  });

  it('equals the sum of its lines, exactly, and the average lies between the cheapest and dearest rate used', () => {
    const count = fc.integer({ min: 0, max: 10 ** 9 });
    const rate = fc.integer({ min: 1, max: 1000 });
    fc.assert(
      fc.property(fc.tuple(...CHANNELS.map(() => count)), fc.tuple(...CHANNELS.map(() => rate)), (counts, rates) => {
        const messagesPerMonth = Object.fromEntries(CHANNELS.map((c, i) => [c, counts[i]!]));
        const creditsPerMessage = Object.fromEntries(CHANNELS.map((c, i) => [c, rates[i]!]));
        const { result } = calculateCredits({ messagesPerMonth, creditsPerMessage });
        const expected = CHANNELS.reduce((s, _, i) => s + BigInt(counts[i]!) * BigInt(rates[i]!), 0n);
        expect(BigInt(result!.monthlyCredits)).toBe(expected);
        const used = result!.lines.map((l) => l.creditsPerMessage * 100);
        if (result!.averageHundredths !== null) {
          expect(result!.averageHundredths).toBeGreaterThanOrEqual(Math.min(...used));
          expect(result!.averageHundredths).toBeLessThanOrEqual(Math.max(...used));
        }
      }),
    );
  });
});
