/**
 * The central service: every admin's plans, their history, usage authorization and the
 * Account Managers' e-mails, over HTTP, on PostgreSQL or the embedded PostgreSQL.
 */
export * from './config';
export * from './service';
export { isWorkerProcess, reportListening, runPrimary } from './workers';
export { createToken, revokeToken, type NewToken, type Principal } from './auth';
export { MailWorker, type SmtpSettings } from './mail';
export { composeEmail } from '../shared/mail';
export { migrate, openEmbedded, openPostgres, MIGRATIONS, type Database } from './store';
