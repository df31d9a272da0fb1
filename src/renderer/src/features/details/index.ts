export { PlanDetails } from './PlanDetails';
export { rangeWindow, RANGE_KEYS, RANGE_LABEL, type RangeKey, type TimeWindow } from './timeRanges';
