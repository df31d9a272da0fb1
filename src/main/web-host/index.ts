export { isLoopbackAddress, isLoopbackHost } from './loopback';
export { bearerSecret, callerForSecret, issueSecrets, type CallerSession } from './secrets';
export {
  BIND_ADDRESS,
  DEFAULT_MAX_BODY_BYTES,
  createRequestHandler,
  startWebHost,
  type RequestHandlerContext,
  type WebHost,
  type WebHostOptions,
  type WebHostSession,
} from './server';
