import path from 'node:path';

/**
 * The console's Content Security Policy, sent as a header by both hosts (the built
 * index.html carries the same policy in a meta tag; a page obeys both). Only the console's own
 * scripts and styles run, it talks only to its own origin, and no other site may frame it
 * (`frame-ancestors` works only as a header, which is one reason to send it as one).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file of the built renderer a URL path names, or null when the path is malformed or would
 * leave the renderer's folder (`..`, encoded slashes, NUL bytes). `/` names index.html.
 */
export function resolveRendererFile(rendererRoot: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').includes('..')) return null;
  const relative = path.posix.normalize(decoded.startsWith('/') ? decoded : `/${decoded}`);
  const root = path.resolve(rendererRoot);
  const file = path.resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}
