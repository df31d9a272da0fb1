import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { CONSOLE_CSP, contentTypeOf, resolveRendererFile } from '../host';

/**
 * The console's pages come from a private scheme rather than file://: the page gets a real
 * origin ('self' in the CSP means the console's own files, not the whole disk), every response
 * carries the CSP header, and paths cannot leave the built renderer's folder.
 */
export const APP_SCHEME = 'console';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(session: Session, rendererRoot: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? resolveRendererFile(rendererRoot, url.pathname) : null;
    if (file === null) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeOf(file),
          'Content-Security-Policy': CONSOLE_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/** Whether a frame's URL belongs to the console (and not to anything it might have been led to). */
export function isConsoleUrl(url: string): boolean {
  try {
    // Node's URL gives custom schemes an opaque origin, so compare scheme and host instead.
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}
