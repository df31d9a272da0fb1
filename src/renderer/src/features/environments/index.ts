export { EnvironmentList } from './EnvironmentList';
export { SpaceList } from './SpaceList';
