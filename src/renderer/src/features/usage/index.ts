export { UsagePage, type UsageScope } from './UsagePage';
