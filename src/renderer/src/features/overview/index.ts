export { CreditsTab, creditsTabReads } from './CreditsTab';
