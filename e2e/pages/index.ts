export { DetailsPage } from './DetailsPage';
export { OverviewPage } from './OverviewPage';
export { WizardPage } from './WizardPage';
