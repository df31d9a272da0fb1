export { ConfigureStep } from './ConfigureStep';
export { CreditPlanWizard } from './CreditPlanWizard';
export { candidateOf, emptyForm, errorsOf, formFromConfig, newPlanForm, offeredChannels, validateForm, type FieldErrors, type PlanForm } from './form';
export { PlanSummary } from './PlanSummary';
export { useWizardStore } from './store';
