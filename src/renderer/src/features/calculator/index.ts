export { CreditCalculator } from './CreditCalculator';
export { useCalculatorPrefill, type CalculatorPrefill } from './prefill';
