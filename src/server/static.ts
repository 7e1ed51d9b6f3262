import { realpath } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * A folder served as a site with @fastify/static (and @fastify/send under it): ranges, ETags,
 * If-None-Match / If-Modified-Since, HEAD, no traversal (`..`, encoded or not, NUL, non-canonical
 * paths are refused before the disk is touched). What we add: our content types (with a charset for
 * text; the feed is Atom), our cache policy, `/<name>` finding `<name>.html`, dot files and whatever
 * `hidden` names answered 404, and a file that is a symlink out of the folder answered 404 too.
 */
/**
 * Headers of the built site's files (archive, web versions, feed) and of serve's error pages: a
 * Content-Security-Policy that lets the pages run only their own scripts (the subscribe form's stamp, the
 * search box and its WebAssembly), post forms only here and never be framed, and a Referrer-Policy that
 * sends other sites the origin at most. Images may come from anywhere, as an issue's images do.
 */
export const SITE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src 'self'; object-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "strict-origin-when-cross-origin",
} as const;

export interface StaticSiteOptions {
  /** The folder. */
  root: string;
  /** Paths (`/a/b.html`, decoded) that are not part of the site: answered 404. */
  hidden?: (path: string) => boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/atom+xml; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".mjml": "text/plain; charset=utf-8",
  ".eml": "message/rfc822",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** Text pages (the archive, issues, the feed) are revalidated on every visit; assets may be cached a day. */
function cacheControl(file: string): string {
  return /\.(html?|xml|txt|json|mjml|eml)$/i.test(file) ? "no-cache" : "public, max-age=86400";
}

class NotFound extends Error {
  readonly statusCode = 404;
}

export async function staticSite(app: FastifyInstance, options: StaticSiteOptions): Promise<void> {
  const root = resolve(options.root);
  // the folder may not exist yet when the server starts (`rassylka build` not run): resolve it per file
  const realRoot = () => realpath(root).catch(() => root);
  app.setErrorHandler((error: { code?: string }) => {
    // a path that tries to leave the folder (`..`, `//`, `/./`, encoded or not) is a bad request: 400,
    // as for any other unreadable request; the server's own error handler answers it
    if (error.code === "FST_STATIC_FORBIDDEN_PATH") throw Object.assign(new Error("bad path"), { statusCode: 400 });
    throw error;
  });
  await app.register(fastifyStatic, {
    root,
    index: ["index.html"],
    extensions: ["html"],
    dotfiles: "ignore",
    serveDotFiles: false,
    redirect: false,
    contentType: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    acceptRanges: true,
    allowedPath: (path) => !path.split("/").some((s) => s.startsWith(".")) && !options.hidden?.(path),
    onFile: async (file) => {
      const [inside, real] = await Promise.all([realRoot(), realpath(file)]);
      if (!real.startsWith(inside + sep)) throw new NotFound("outside the served folder");
    },
    setHeaders: (reply, file) => {
      reply.header("content-type", contentType(file));
      reply.header("cache-control", cacheControl(file));
      reply.header("x-content-type-options", "nosniff");
      for (const [name, value] of Object.entries(SITE_HEADERS)) reply.header(name, value);
    },
  });
}
