export { CreditsTab } from './CreditsTab';
