import { compileOrThrow } from "../compile/compile.js";
import type { NewsletterConfig } from "../config/schema.js";
import { tracksAnything } from "../config/tracking.js";
import { type Diagnostic, RassylkaError, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { requireSecret, SECRET_ENV } from "../identity/token.js";
import { loadProject, type Project } from "../project/project.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { stateError } from "../state/db.js";
import { leaseMsFrom, workerId } from "../state/ledger.js";
import { type StateLocation, stateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import { abProblems, abTestOf, refuseAbRequest } from "./ab-test.js";
import type { AudienceSource } from "./audience.js";
import { DeliveredThenFailed, runSend, type SendInput, type SendMode, type SendSummary, sendTracking } from "./engine.js";
import { type Allowances, alignmentProblems, oneClickProblems, refuseDraft, unsubscribeProblems } from "./guards.js";
import type { Transport } from "./transport.js";

/**
 * "Send an issue", the use-case `rassylka send` and `serve`'s welcome issue share: exit codes are the
 * CLI's (src/cli/send.ts); this returns the summary or throws a RassylkaError.
 */
/** What a send is given before anything is compiled: the newsletter, the issue, who and how. */
export interface SendOptions extends Omit<SendInput, "compiled" | "config" | "secret" | "audience" | "transport" | "ledger"> {
  /** The newsletter's folder. */
  root: string;
  /** Issue file (path) or slug. */
  issue: string;
  audience?: AudienceSource;
  /** The transport, or a factory called once the issue is compiled (the outbox needs the slug). */
  transport: Transport | ((issue: { slug: string; mode: SendMode; config?: NewsletterConfig }) => Transport | Promise<Transport>);
  /**
   * The state: a file (relative to root) or a postgres:// URL; default `RASSYLKA_DATABASE_URL`, else
   * `.rassylka/state.sqlite` under root.
   */
  stateFile?: string;
  /** Where RASSYLKA_SECRET is read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** An already loaded project (saves reloading config and templates). */
  project?: Project;
  /**
   * The issue compiled elsewhere, with its newsletter's config (a scheduled issue as `schedule push`
   * recorded it, src/schedule/): nothing is loaded or compiled from `root`. Its body's unsubscribe link
   * was checked when it was compiled (`checkBeforeSend`).
   */
  prepared?: PreparedIssue;
  /** fsync the ledger on every commit (see StateOptions.durability). Default: `normal`. */
  syncEveryCommit?: boolean;
  /** Warnings found before sending (an http: unsubscribe URL); the CLI prints them. */
  onWarning?: (d: Diagnostic) => void;
  /** Called when the send made a new state file (the CLI says where). */
  onCreateState?: (file: string) => void;
  /** DKIM_DOMAIN, when the transport signs: checked for alignment with From. */
  dkimDomain?: string;
  /** What this send was told to overlook (`--allow-no-one-click`, `--allow-unaligned`). */
  allow?: Allowances;
}

/**
 * The body's own way out (lint/unsubscribe's link check, run by send): a reader who cannot find it
 * presses "spam" instead, and a complaint rate over 0.1 % gets the domain blocked at Gmail.
 */
async function refuseWithoutUnsubscribeLink(project: Project, compiled: Parameters<typeof refuseDraft>[0]): Promise<void> {
  const { lintIssue } = await import("../lint/index.js");
  // the header half of the rule (no unsubscribe: in newsletter.yaml) is refused above with its own fix
  const missing = (await lintIssue(project, compiled, { rules: ["unsubscribe"] })).filter(
    (d) => d.severity === "error" && d.field !== "unsubscribe",
  );
  if (missing.length) {
    throw new RassylkaError(
      missing.map((d) => ({
        ...d,
        ruleId: "send/no-unsubscribe-link",
        message: t("deliverability:noLink"),
        fix: t("deliverability:noLink.fix", { footer: "{{> footer}}", link: "{{subscriber.unsubscribeUrl}}" }),
      })),
    );
  }
}

/** A compiled issue and the config it was compiled with, ready to send without the repository. */
export interface PreparedIssue {
  compiled: CompiledIssue;
  config: NewsletterConfig;
}

/**
 * What a send refuses before anything is recorded: a draft (but for test copies), a config without a
 * way to unsubscribe, one-click or alignment problems, a body without its unsubscribe link. Throws a
 * RassylkaError for the refusals; returns the warnings. `schedule push` runs it when it records an issue.
 */
export async function checkBeforeSend(
  project: Project | undefined,
  { compiled, config }: PreparedIssue,
  mode: SendMode,
  options: Pick<SendOptions, "allow" | "dkimDomain"> = {},
): Promise<Diagnostic[]> {
  if (mode !== "test") refuseDraft(compiled);
  const problems = [
    ...unsubscribeProblems(config, mode),
    ...oneClickProblems(config, mode, options.allow),
    ...alignmentProblems(config, options.dkimDomain, mode, options.allow),
  ];
  const refusals = problems.filter((d) => d.severity === "error");
  if (refusals.length) throw new RassylkaError(refusals);
  if (mode === "send" && project) await refuseWithoutUnsubscribeLink(project, compiled);
  return problems;
}

/**
 * Everything before the engine, in order: load the newsletter, compile the issue (unless it comes
 * prepared), refuse what `checkBeforeSend` refuses, read the secret, make the transport, open the state
 * file and its one ledger; then `runSend`, and close what was opened.
 */
export async function sendIssue(options: SendOptions): Promise<SendSummary> {
  const mode = options.mode ?? "send";
  let project: Project | undefined;
  let prepared = options.prepared;
  if (!prepared) {
    project = options.project ?? (await loadProject(options.root));
    prepared = { compiled: (await compileOrThrow(project, options.issue)).compiled, config: project.config.config };
  }
  const { compiled, config } = prepared;
  for (const d of await checkBeforeSend(project, prepared, mode, options)) options.onWarning?.(d);
  if (!options.audience) {
    throw new RassylkaError({
      ruleId: "send/no-recipients",
      severity: "error",
      message: "no recipients given",
      fix: "pass --to list.csv or --to a@x.ru,b@y.ru",
    });
  }
  // the subscriber list narrows itself to the issue's topic and audience (docs/audiences.md)
  const audience = (await options.audience.forIssue?.(compiled, config)) ?? options.audience;
  // the secret signs every reader's unsubscribe link; without unsubscribe.url nothing needs it
  let secret = config.unsubscribe?.url ? requireSecret(options.env ?? process.env) : undefined;
  // …and each reader's bounce address (VERP, docs/bounces.md), which goes without it when it must
  if (!secret && mode !== "dry-run" && config.returnPath && config.bounces.verp) {
    secret = (options.env ?? process.env)[SECRET_ENV];
    if (!secret || secret.length < 16) {
      secret = undefined;
      options.onWarning?.(
        warning("bounces/no-secret", t("send:secret.noVerp", { env: SECRET_ENV }), {
          field: "returnPath",
          fix: t("send:secret.noVerp.fix", { env: SECRET_ENV }),
        }),
      );
    }
  }
  const tracking = sendTracking(compiled, config);
  if (tracksAnything(tracking)) {
    if (!config.url)
      throw new RassylkaError({
        ruleId: "tracking/no-url",
        severity: "error",
        file: "newsletter.yaml",
        field: "url",
        message: t("tracking:noUrl"),
        fix: t("tracking:noUrl.fix"),
      });
    // a dry run hands nothing over: without the secret its messages just keep their links
    if (mode !== "dry-run") secret ??= requireSecret(options.env ?? process.env);
  }
  // `--ab-decide` / `--ab-winner` need a real send of an issue with a test: refused before the state is touched
  refuseAbRequest(compiled, options.abRequest, mode);
  // an A/B test needs its metric per reader, and the secret its groups are drawn with (docs/ab-testing.md)
  if (mode === "send") {
    const refusals = abProblems(compiled, config);
    if (refusals.length) throw new RassylkaError(refusals);
    if (abTestOf(compiled)) secret ??= requireSecret(options.env ?? process.env);
  }
  // each reader's vote links are signed (docs/polls.md)
  if (compiled.polls?.length && mode !== "dry-run") secret ??= requireSecret(options.env ?? process.env);
  const env = options.env ?? process.env;
  const location = stateLocation(project?.root ?? options.root, options.stateFile, env);
  const store = await openStore(location, {
    durability: options.syncEveryCommit ? "full" : "normal",
    onCreate: options.onCreateState,
    worker: workerId(env),
  });
  let transport: Transport | undefined;
  try {
    transport =
      typeof options.transport === "function" ? await options.transport({ slug: compiled.slug, mode, config }) : options.transport;
    const leaseMs = options.leaseMs ?? leaseMsFrom(env);
    return await runSend({
      ...options,
      mode,
      compiled,
      config,
      secret,
      audience,
      transport,
      ledger: store.ledger,
      clicks: store.clicks,
      polls: store.polls,
      ab: store.ab,
      leaseMs,
    });
  } catch (e) {
    if (e instanceof DeliveredThenFailed) {
      // readers were delivered before the store failed: a summary (exit 3, re-run to resume), not "nothing sent"
      const failure = await stateFailure(e.cause, location);
      const d = failure instanceof RassylkaError ? failure.diagnostics[0] : undefined;
      const reason = d?.message ?? String((e.cause as Error)?.message ?? e.cause);
      return { ...e.partial, pauseReason: reason, note: reason, fix: d?.fix };
    }
    throw await stateFailure(e, location);
  } finally {
    try {
      await transport?.close();
    } finally {
      await store.close();
    }
  }
}

/** A full disk or a file made read-only during the send, a database server gone: one line naming it, no stack. */
async function stateFailure(e: unknown, location: StateLocation): Promise<unknown> {
  if (e instanceof RassylkaError) return e;
  const code = String((e as { code?: unknown }).code ?? "");
  if (location.kind === "sqlite") return code.startsWith("SQLITE_") ? stateError(location.file, e) : e;
  // the server's errors (pg's DatabaseError carries a severity) and a connection it dropped; not the transport's
  const fromServer =
    typeof (e as { severity?: unknown }).severity === "string" ||
    /Connection terminated|ECONNREFUSED|terminating connection/i.test(String((e as Error).message));
  if (fromServer) return (await import("../state/postgres.js")).postgresError(location.url, e, "record");
  return e;
}
