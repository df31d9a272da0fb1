export { runElectronConsole } from './lifecycle';
