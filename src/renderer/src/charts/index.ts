import { BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import type { Channel } from '../../../shared/domain';

// Register only what the console draws, once, so the bundle stays small.
Chart.register(BarElement, CategoryScale, LinearScale, LineElement, PointElement, Legend, Tooltip, Filler);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#334155';

/** One colour per channel (and the pool), distinguishable and with enough contrast on white. */
export const SERIES_COLOR: Record<Channel | 'ALL', string> = {
  SMS: '#1d4ed8',
  WhatsApp: '#15803d',
  Email: '#b45309',
  Push: '#7c3aed',
  RCS: '#be123c',
  ALL: '#0f766e',
};
