/**
 * Failed authentications per client address, in a sliding window: past the limit, the address is
 * answered 429 (whatever token it sends) until its oldest failure leaves the window. Per instance
 * and in memory: each instance protects itself, and a guesser meets the limit on every one.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until the address may try again, or 0 when it may now. */
  blockedFor(address: string, nowMs: number): number {
    const times = this.recent(address, nowMs);
    if (times.length < this.maxFailures) return 0;
    return times[0]! + this.windowMs - nowMs;
  }

  fail(address: string, nowMs: number): void {
    const times = this.recent(address, nowMs);
    times.push(nowMs);
    this.failures.set(address, times);
    // Bounded memory under a flood of addresses: forget the quiet ones.
    if (this.failures.size > 50_000) {
      for (const [key, list] of this.failures) if (list.at(-1)! <= nowMs - this.windowMs) this.failures.delete(key);
    }
  }

  private recent(address: string, nowMs: number): number[] {
    const times = this.failures.get(address);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= nowMs - this.windowMs) times.shift();
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}
