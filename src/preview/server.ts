import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { resolve } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type BuildCache, fileCache } from "../compile/cache.js";
import { type Diagnostic, isRassylkaError, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { encodedMessageSize } from "../message/size.js";
import { listIssueFiles, loadProject, type Project } from "../project/project.js";
import { createPersonaliser, type Subscriber } from "../render/personalise.js";
import { close, createHttpServer, listen } from "../server/http.js";
import { errorPage, indexPage, issuePage, labelsFor, notFoundPage, type PageContext } from "./page.js";
import { failed, type IssueReport, issueKey, reportIssue, sortReports } from "./report.js";
import { type Changes, watchNewsletter } from "./watch.js";

/**
 * `rassylka preview`: the editors' local web server on the one HTTP layer (src/server/http.ts), bound to 127.0.0.1.
 *
 *   GET /                          every issue, newest first: date, subject, draft, size, lint counts
 *   GET /issue/<key>               one issue: 600 px and 375 px frames, text, source, findings
 *   GET /issue/<key>/email.html    the email itself (?s=<n>: as preview.subscribers[n] gets it)
 *   GET /issue/<key>/email.txt     its text part
 *   GET /events                    server-sent events: a message after every rebuild
 *
 * `<key>` is the issue's file name without `.md`, so a page survives a broken front-matter. Saving an
 * issue recompiles that issue only (the build cache makes the rest free); saving newsletter.yaml or a
 * template reloads the project and rebuilds every issue. Errors land in the page, never in a crash.
 */
export interface PreviewOptions {
  root: string;
  /** 0 picks a free port. Default 4000. */
  port?: number;
  /** Default 127.0.0.1: the preview is for the editor's own machine. */
  host?: string;
  /** Quiet time after the last file event before rebuilding. Default 80 ms. */
  debounceMs?: number;
  cache?: BuildCache;
  /** Called after each rebuild (for the CLI's log line). */
  onRebuild?: (info: { keys: string[]; all: boolean; ms: number; errors: number }) => void;
}

export interface PreviewServer {
  url: string;
  port: number;
  /** Resolves when no rebuild is pending or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function internalError(error: unknown, file?: string): Diagnostic {
  return {
    ruleId: "preview/internal",
    severity: "error",
    message: (error as Error)?.message ?? String(error),
    file,
    fix: t("preview:internal.fix"),
  };
}

class PreviewModel {
  project?: Project;
  projectErrors: Diagnostic[] = [];
  readonly reports = new Map<string, IssueReport>();
  readonly lastGood = new Map<string, IssueReport>();
  private readonly boot = randomBytes(4).toString("hex");
  private counter = 0;

  constructor(
    readonly root: string,
    private readonly cache: BuildCache,
  ) {}

  get version(): string {
    return `${this.boot}.${this.counter}`;
  }

  bump(): void {
    this.counter++;
  }

  async reloadProject(): Promise<void> {
    try {
      this.project = await loadProject(this.root);
      this.projectErrors = [];
    } catch (error) {
      // keep the last good project, so the pages still show the issues under the error
      this.projectErrors = isRassylkaError(error) ? error.diagnostics : [internalError(error)];
    }
  }

  private async rebuildOne(absPath: string): Promise<void> {
    const key = issueKey(absPath);
    if (!existsSync(absPath)) {
      this.reports.delete(key);
      this.lastGood.delete(key);
      return;
    }
    if (!this.project) return;
    let report: IssueReport;
    try {
      report = await reportIssue(this.project, absPath, this.cache);
    } catch (error) {
      const file = `issues/${key}.md`;
      report = { key, file, absPath, diagnostics: [internalError(error, file)], lint: [], fromCache: false };
    }
    this.reports.set(key, report);
    if (!failed(report)) this.lastGood.set(key, report);
  }

  async rebuildAll(): Promise<void> {
    const files = await listIssueFiles(this.root);
    const keep = new Set(files.map(issueKey));
    for (const key of [...this.reports.keys()]) if (!keep.has(key)) this.reports.delete(key);
    for (const f of files) await this.rebuildOne(f);
  }

  async rebuild(changes: Changes): Promise<{ keys: string[]; all: boolean }> {
    if (changes.project || !this.project) {
      await this.reloadProject();
      await this.rebuildAll();
      return { keys: [...this.reports.keys()], all: true };
    }
    if (changes.rescan) {
      await this.rebuildAll();
      return { keys: [...this.reports.keys()], all: true };
    }
    for (const f of changes.issues) await this.rebuildOne(f);
    return { keys: changes.issues.map(issueKey), all: false };
  }

  pageContext(): PageContext {
    const config = this.project?.config.config;
    return {
      language: config?.language ?? "ru",
      newsletterName: config?.name ?? "rassylka",
      version: this.version,
      projectErrors: this.projectErrors,
    };
  }

  subscribers(): Subscriber[] {
    return this.project?.config.config.preview.subscribers ?? [];
  }
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const root = resolve(options.root);
  const model = new PreviewModel(root, options.cache ?? fileCache(root));
  await model.rebuild({ issues: [], project: true, rescan: true });
  // No newsletter.yaml at all: the editor is in the wrong folder, so say so instead of serving error pages.
  // Any other error (a typo in the config, a broken template) is shown in the page and fixed live.
  if (!model.project && model.projectErrors.some((d) => d.ruleId === "config/missing")) throw new RassylkaError(model.projectErrors);

  const clients = new Set<ServerResponse>();
  const broadcast = (message: object) => {
    const data = `data: ${JSON.stringify(message)}\n\n`;
    for (const res of clients) res.write(data);
  };

  // Rebuilds run one at a time; changes that arrive meanwhile are merged into the next one.
  let pending: Changes | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    while (pending) {
      const changes = pending;
      pending = undefined;
      const started = performance.now();
      const { keys, all } = await model.rebuild(changes);
      model.bump();
      const errors = [...model.reports.values()].filter(failed).length + (model.projectErrors.length ? 1 : 0);
      broadcast({ version: model.version, keys, all });
      options.onRebuild?.({ keys, all, ms: Math.round(performance.now() - started), errors });
    }
    running = undefined;
  };
  const schedule = (changes: Changes) => {
    pending = pending
      ? {
          issues: [...new Set([...pending.issues, ...changes.issues])],
          project: pending.project || changes.project,
          rescan: pending.rescan || changes.rescan,
        }
      : changes;
    running ??= run();
  };

  const app = createHttpServer({
    // the preview takes no bodies at all
    bodyLimit: 1024,
    errorPage: (status) => errorPage(model.pageContext(), status),
  });
  // A page on another site must not read the drafts through DNS rebinding: only local host names.
  app.addHook("onRequest", async (request, reply) => {
    if (!LOCAL_HOSTS.has((request.headers.host ?? "").replace(/:\d+$/, ""))) {
      return send(reply, 403, "text/html", errorPage(model.pageContext(), 403));
    }
  });
  const index = async (_request: FastifyRequest, reply: FastifyReply) =>
    send(reply, 200, "text/html", indexPage(model.pageContext(), sortReports([...model.reports.values()])));
  app.get("/", index);
  app.get("/index.html", index);
  app.get("/events", (request, reply) => {
    // server-sent events outlive fastify's request cycle: the stream is ours from here on
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
    res.write(`retry: 500\ndata: ${JSON.stringify({ hello: true, version: model.version })}\n\n`);
    clients.add(res);
    request.raw.on("close", () => clients.delete(res));
  });
  type IssueRequest = FastifyRequest<{ Params: { key: string }; Querystring: { s?: string } }>;
  const issue = (part?: "email.html" | "email.txt") => async (request: IssueRequest, reply: FastifyReply) => {
    const l = labelsFor();
    const report = model.reports.get(request.params.key);
    if (!report) return send(reply, 404, "text/html", notFoundPage(model.pageContext()));
    const subscribers = model.subscribers();
    const s = request.query.s;
    const selected = typeof s === "string" && /^\d+$/.test(s) && Number(s) < subscribers.length ? Number(s) : undefined;
    const shown = report.compiled && !failed(report) ? report : model.lastGood.get(report.key);
    const rendered = shown?.compiled
      ? createPersonaliser(shown.compiled).render(selected !== undefined ? subscribers[selected] : {})
      : undefined;
    if (part === "email.txt") {
      return rendered ? send(reply, 200, "text/plain", rendered.text) : send(reply, 404, "text/plain", `${l.doesNotBuild}\n`);
    }
    if (part === "email.html") {
      // links open in a new tab instead of inside the frame
      return rendered
        ? send(reply, 200, "text/html", rendered.html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">'))
        : send(reply, 404, "text/plain", `${l.doesNotBuild}\n`);
    }
    const bytes =
      rendered && shown?.compiled && model.project
        ? await encodedMessageSize(model.project.config.config, {
            subject: shown.compiled.subject,
            ...rendered,
            to: subscribers[selected ?? -1]?.email,
          })
        : undefined;
    return send(
      reply,
      200,
      "text/html",
      issuePage(model.pageContext(), {
        report,
        lastGood: model.lastGood.get(report.key),
        subscribers,
        selected,
        html: rendered?.html,
        text: rendered?.text,
        bytes,
      }),
    );
  };
  app.get("/issue/:key", issue());
  app.get("/issue/:key/email.html", issue("email.html"));
  app.get("/issue/:key/email.txt", issue("email.txt"));

  const stopWatching = watchNewsletter(root, schedule, { debounceMs: options.debounceMs ?? 80 });
  const host = options.host ?? "127.0.0.1";
  let url: string;
  try {
    url = await listen(app, options.port ?? 4000, host);
  } catch (error) {
    stopWatching();
    throw error;
  }
  return {
    url,
    port: Number(new URL(url).port),
    async idle() {
      while (running) await running;
    },
    async close() {
      stopWatching();
      pending = undefined;
      if (running) await running;
      for (const res of clients) res.end();
      clients.clear();
      const closed = close(app);
      app.server.closeAllConnections();
      await closed;
    },
  };
}

function send(reply: FastifyReply, status: number, type: string, body: string) {
  return reply
    .code(status)
    .headers({ "content-type": `${type}; charset=utf-8`, "cache-control": "no-store", "x-content-type-options": "nosniff" })
    .send(body);
}
