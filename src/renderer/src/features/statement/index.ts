export { PlanStatement } from './PlanStatement';
