export { ConfirmDialog } from './ConfirmDialog';
export {
  billingDate,
  creditsLabel,
  formatCredits,
  formatDay,
  formatInstant,
  limitLabel,
  planChannels,
  prepareInstantFormat,
  renewLabel,
  ROLE_LABEL,
  utcToSecond,
  yesNo,
} from './format';
export { afterNextPaint } from './paint';
export { Breadcrumbs, Empty, ErrorState, Loading, PageTitle, type Crumb } from './States';
export { Toggle } from './Toggle';
export { FlashMessage, useFlash } from './flash';
