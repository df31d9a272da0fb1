export { App } from './App';
export { href, navigate, parseRoute, useRoute, type Route } from './router';
