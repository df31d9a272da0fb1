export { SpaceHeader, type SpaceTab } from './SpaceHeader';
export { SpacePage } from './SpacePage';
