import nodemailer, { type Transporter } from 'nodemailer';
import type { Queryable } from '../store';

/**
 * Delivers the outbox over SMTP. Safe with several instances on one database: each claims due
 * e-mails with FOR UPDATE SKIP LOCKED and a lease (pushing their next attempt into the future),
 * so two instances never send the same e-mail at once, and an instance that dies mid-send
 * leaves the e-mail to be picked up again when its lease runs out. Delivery is therefore
 * at-least-once; every message carries a stable Message-ID so a duplicate can be recognized.
 *
 * A failed attempt is retried with exponential backoff for as long as it takes (an SMTP outage
 * delays e-mails, never loses them). Only a refusal of the recipient address itself is final;
 * such an e-mail stays `failed` until requeued through the API.
 */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (usually port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Never upgrade to TLS (only for a trusted local relay or tests). */
  ignoreTls: boolean;
  user?: string;
  password?: string;
  from: string;
}

export interface MailWorkerOptions {
  smtp: SmtpSettings | null;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a claimed e-mail is left to the instance that claimed it. */
  leaseMs: number;
  batchSize: number;
  clock: () => number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

interface ClaimedRow {
  [key: string]: unknown;
  id: string;
  to_address: string;
  to_name: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
}

/** Backoff before attempt `attempts + 1`: base × 2^(attempts−1), capped, with ±20 % jitter. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(exponential * (0.8 + 0.4 * random));
}

function isRecipientRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { responseCode, command } = error as { responseCode?: unknown; command?: unknown };
  return typeof responseCode === 'number' && responseCode >= 550 && responseCode <= 553 && command === 'RCPT TO';
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

export class MailWorker {
  private readonly transport: Transporter | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;

  constructor(
    private readonly db: Queryable,
    private readonly options: MailWorkerOptions,
  ) {
    const { smtp } = options;
    this.transport = smtp
      ? nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ignoreTLS: smtp.ignoreTls,
          ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  start(): void {
    if (!this.transport || !this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was enqueued: look now rather than at the next poll. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.transport?.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let handled = 0;
    try {
      this.again = false;
      handled = await this.runOnce();
    } catch (error) {
      this.options.log.error({ err: describe(error) }, 'mail worker could not read the outbox');
    }
    this.schedule(handled > 0 || this.again ? 0 : this.options.pollMs);
  }

  /** Claim the due e-mails and try each once; returns how many were attempted. */
  async runOnce(): Promise<number> {
    if (!this.transport) return 0;
    const now = this.options.clock();
    const claimed = await this.db.query<ClaimedRow>(
      `UPDATE notifications SET next_attempt_ms = $2
        WHERE id IN (SELECT id FROM notifications
                      WHERE status <> 'sent' AND next_attempt_ms IS NOT NULL AND next_attempt_ms <= $1
                      ORDER BY next_attempt_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, to_address, to_name, subject, text_body, html_body, attempts`,
      [now, now + this.options.leaseMs, this.options.batchSize],
    );
    for (const row of claimed.rows) await this.deliver(row);
    return claimed.rows.length;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const { smtp, log, clock } = this.options;
    const attempts = Number(row.attempts) + 1;
    try {
      await this.transport!.sendMail({
        from: smtp!.from,
        to: { name: row.to_name, address: row.to_address },
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId: `<${row.id}@credit-plan-central>`,
      });
      await this.db.query(
        `UPDATE notifications SET status = 'sent', attempts = $2, sent_ms = $3, updated_ms = $3,
                next_attempt_ms = NULL, last_error = NULL WHERE id = $1`,
        [row.id, attempts, clock()],
      );
      log.info({ notification: row.id, attempts }, 'e-mail sent');
    } catch (error) {
      const now = clock();
      const final = isRecipientRefusal(error);
      const next = final ? null : now + retryDelayMs(attempts, this.options.retryBaseMs, this.options.retryMaxMs, Math.random());
      await this.db.query(
        `UPDATE notifications SET status = 'failed', attempts = $2, last_error = $3, next_attempt_ms = $4, updated_ms = $5
          WHERE id = $1`,
        [row.id, attempts, describe(error), next, now],
      );
      log.warn({ notification: row.id, attempts, err: describe(error), retryAt: next }, 'e-mail not sent');
    }
  }
}
