import { app, type Session, type WebContents } from 'electron';
import { CONSOLE_CSP } from '../host';

/**
 * Every session and web contents of the app refuse what the console never needs: permissions
 * (camera, notifications, …), navigation away from the console, new windows and webviews.
 * The CSP is also sent as a response header, so it holds even if the page's meta tag is lost.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONSOLE_CSP],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Applies to every web contents the app will ever create, before any of them loads. */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
