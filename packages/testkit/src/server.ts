import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  server: Server;
  port: number;
  /** The origin under a `*.localhost` name, e.g. `http://app-a.localhost:41234`. */
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 only, on an ephemeral port unless one is given, and names
 * it `http://<host>:<port>`. Chromium resolves every `*.localhost` name to loopback, so each
 * host name is a distinct *site* for cookies and `Sec-Fetch-Site` without any DNS setup.
 */
export async function listenOnLoopback(host: string, handler: RouteHandler, port = 0): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    origin: `http://${host}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticSite {
  /** Files served by URL path, e.g. `{ '/index.html': '<html>…' }`, checked before `root`. */
  pages?: Record<string, string>;
  /** A folder whose files are served as they are; paths never escape it. */
  root?: string;
  /** Mounts: URL prefix → folder, e.g. `{ '/sdk/': 'packages/sdk/dist' }`. */
  mounts?: Record<string, string>;
  /** Paths that are not files fall back to this page (SPA deep links). */
  fallback?: string;
}

/** A handler that serves a static single-page site. */
export function staticSite(site: StaticSite): RouteHandler {
  return async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const page = site.pages?.[path === '/' ? '/index.html' : path];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': contentTypes[extname(path) || '.html'] ?? 'text/plain', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    for (const [prefix, folder] of Object.entries(site.mounts ?? {})) {
      if (path.startsWith(prefix) && (await sendFile(res, folder, path.slice(prefix.length)))) return;
    }
    if (site.root && (await sendFile(res, site.root, path === '/' ? 'index.html' : path))) return;
    const fallback = site.fallback && site.pages?.[site.fallback];
    if (fallback !== undefined && fallback !== '') {
      res.writeHead(200, { 'content-type': contentTypes['.html'], 'cache-control': 'no-store' });
      res.end(fallback);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  };
}

async function sendFile(res: ServerResponse, folder: string, relative: string): Promise<boolean> {
  const base = resolve(folder);
  const file = resolve(base, `.${sep}${normalize(relative)}`);
  if (file !== base && !file.startsWith(base + sep)) return false;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return false;
  res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  createReadStream(file).pipe(res);
  return true;
}
