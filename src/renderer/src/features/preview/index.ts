export { DraftPreview } from './DraftPreview';
