import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { type Diagnostic, RassylkaError, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { newsletterId } from "../identity/newsletter.js";
import { SECRET_ENV } from "../identity/token.js";
import type { BounceRecord, UnverifiedBounceRecord } from "../state/bounces.js";
import type { StateLocation } from "../state/location.js";
import { openStore, type Store } from "../state/store.js";
import { DEFAULT_MOVE_TO, fetchBounces, IMAP_URL_ENV, maskImapUrl } from "./imap.js";
import { addToCounts, type BounceCounts, BounceProcessor, emptyCounts, type MessageOutcome } from "./process.js";
import { problemIn, readSources, type SourceProblem } from "./sources.js";

/**
 * `rassylka bounces import FILE…` and `rassylka bounces fetch` as library calls (docs/bounces.md): each
 * reads its messages into the store at `location` and returns what it found; `onWarning` hears of a
 * missing secret before anything is read.
 */
export interface BounceReport {
  counts: BounceCounts;
  messages: MessageOutcome[];
  problems: SourceProblem[];
  mailbox?: { url: string; moved: number; left: number; movedTo: string };
}

export interface BounceRun {
  root: string;
  location: StateLocation;
  env?: NodeJS.ProcessEnv;
  onWarning?: (d: Diagnostic) => void;
  /** `--trust-unverified`: bounces that name a reader without proof act too (docs/bounces.md). */
  trustUnverified?: boolean;
}

async function withProcessor<T>(run: BounceRun, fn: (p: BounceProcessor) => Promise<T>): Promise<T> {
  const env = run.env ?? process.env;
  const { config } = await loadConfig(resolve(run.root));
  const secret = env[SECRET_ENV] && env[SECRET_ENV].length >= 16 ? env[SECRET_ENV] : undefined;
  if (!secret) {
    run.onWarning?.(
      warning("bounces/no-secret", t("bounces:noSecret", { env: SECRET_ENV }), { fix: t("bounces:noSecret.fix", { env: SECRET_ENV }) }),
    );
  }
  const store: Store = await openStore(run.location);
  try {
    return await fn(
      new BounceProcessor({
        store,
        listId: newsletterId(config),
        secret,
        softLimit: config.bounces.softLimit,
        verp: config.bounces.verp,
        trustUnverified: run.trustUnverified,
        unsubscribeMailto: config.unsubscribe?.mailto,
      }),
    );
  } finally {
    await store.close();
  }
}

/** Bounce messages from .eml files, mbox files or Maildir folders (nothing moved or deleted). */
export async function importBounces(run: BounceRun, files: string[]): Promise<BounceReport> {
  const report: BounceReport = { counts: emptyCounts(), messages: [], problems: [] };
  await withProcessor(run, async (processor) => {
    for await (const message of readSources(
      files.map((f) => resolve(f)),
      report.problems,
    )) {
      let outcome: MessageOutcome;
      try {
        outcome = await processor.process(message.raw, message.label);
      } catch (e) {
        if (e instanceof RassylkaError) throw e;
        report.problems.push({ label: message.label, ...problemIn("bounces:problem.unreadable", { error: (e as Error).message }) });
        continue;
      }
      report.messages.push(outcome);
      addToCounts(report.counts, outcome);
    }
  });
  return report;
}

/** The bounce mailbox over IMAP (`BOUNCES_IMAP_URL`): bounces moved to `moveTo`, other mail left alone. */
export async function fetchBounceMailbox(run: BounceRun, options: { moveTo?: string; insecureTls?: boolean }): Promise<BounceReport> {
  const url = (run.env ?? process.env)[IMAP_URL_ENV];
  const report: BounceReport = { counts: emptyCounts(), messages: [], problems: [] };
  const movedTo = options.moveTo?.trim() || DEFAULT_MOVE_TO;
  await withProcessor(run, async (processor) => {
    const result = await fetchBounces(url, { moveTo: movedTo, tlsInsecure: options.insecureTls }, async (raw, label) => {
      let outcome: MessageOutcome;
      try {
        outcome = await processor.process(raw, label);
      } catch (e) {
        if (e instanceof RassylkaError) throw e;
        // left in the mailbox for a person to look at
        report.problems.push({ label, ...problemIn("bounces:problem.unreadable", { error: (e as Error).message }) });
        return { move: false };
      }
      report.messages.push(outcome);
      addToCounts(report.counts, outcome);
      // bounces and complaints (and those already imported) are done with; other mail stays where it is
      return { move: outcome.duplicate || outcome.type !== "not-bounce" };
    });
    report.mailbox = { url: maskImapUrl(url ?? ""), moved: result.moved, left: result.left, movedTo };
  });
  return report;
}

/** `rassylka bounces list [--unverified] [--issue SLUG]`: the bounces recorded, or those kept as unverified. */
export async function listBounces(
  location: StateLocation,
  options: { unverified?: boolean; issue?: string } = {},
): Promise<BounceRecord[] | UnverifiedBounceRecord[]> {
  const store = await openStore(location);
  try {
    return options.unverified ? await store.bounces.listUnverified(options.issue) : await store.bounces.list(options.issue);
  } finally {
    await store.close();
  }
}
