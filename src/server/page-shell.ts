import type { FastifyReply, HTTPMethods } from "fastify";
import { partial } from "../site/templates.js";

/**
 * The frame every page `serve` answers itself shares (src/server/pages.ts, subscribe-pages.ts): head,
 * style, the title and the paragraphs, what the page adds (`{{#> servedPage}}…{{/servedPage}}`), and the
 * link back. Its data: `lang`, `title`, `paragraphs`, optional `back: { href, text }`.
 */
export const SERVED_PAGE = "servedPage";

partial(
  SERVED_PAGE,
  `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>
body{margin:0;background:#f3f1ec;color:#22252a;font:17px/1.6 Arial,Helvetica,sans-serif}
main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:6px}
h1{font-size:1.3rem;line-height:1.3;color:#1c3b5a;margin:0 0 1rem}
p{overflow-wrap:anywhere}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1c3b5a;color:#fff;cursor:pointer}
a{color:#1f5fa8}
</style>
</head>
<body><main>
<h1>{{title}}</h1>
{{#each paragraphs}}
<p>{{this}}</p>
{{/each}}
{{> @partial-block}}
{{#if back}}
<p><a href="{{back.href}}">{{back.text}}</a></p>
{{/if}}
</main></body>
</html>
`,
);

/** Headers of the pages serve answers itself: never cached, never indexed, a token never leaks in a Referer. */
export const PAGE_HEADERS = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
} as const;

/** Every method is routed to a page's handler, so that the ones it does not take get a 405 naming those it does. */
export const ALL_METHODS: HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/** A page serve answers itself: its status, the page headers (plus `extra`), HTML. */
export function answer(reply: FastifyReply, status: number, html: string, extra: Record<string, string> = {}) {
  return reply
    .code(status)
    .headers({ ...PAGE_HEADERS, ...extra })
    .type("text/html; charset=utf-8")
    .send(html);
}
