import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { dkimFromEnv } from "../message/message.js";
import type { StateLocation } from "../state/location.js";
import { type AudienceSource, addressList, csvFile } from "./audience.js";
import type { SendMode, SendProgress, SendSummary } from "./engine.js";
import { type SendOptions, sendIssue } from "./send-issue.js";
import { subscribersAt } from "./subscribers.js";
import { chooseTransport, type TransportChoice, usageError } from "./transport-choice.js";

/**
 * A send as `rassylka send` asks for it: recipients and transport by name, the state already resolved.
 * `sendRequest` checks the combination, makes the audience and the transport, and runs `sendIssue`.
 */
export interface SendRequest extends TransportChoice {
  root: string;
  issue: string;
  /** A CSV file, or addresses `a@x.ru,b@y.ru`. */
  to?: string;
  /** Test copies to these addresses. */
  test?: string;
  /** Every confirmed, not suppressed subscriber in the state. */
  subscribers?: boolean;
  /** With `subscribers`: only the readers of `audiences/<name>.yaml` (docs/audiences.md). */
  audience?: string;
  /** Of the CSV: utf-8 (default) or windows-1251. */
  encoding?: string;
  state: StateLocation;
  /** Send without asking; needed when nobody can be asked. */
  yes?: boolean;
  /** Somebody at a terminal can answer `confirm`. */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  rate?: number;
  domainRates?: Record<string, number>;
  maxAttempts?: number;
  retryDelay?: number;
  retryWindow?: number;
  retryFailed?: boolean;
  allowChanged?: boolean;
  /** `--allow-no-one-click`: a private list may go without unsubscribe.url. */
  allowNoOneClick?: boolean;
  /** `--allow-unaligned`: DKIM or the return path may be off the From domain. */
  allowUnaligned?: boolean;
  /** `--ab-decide`: decide the issue's A/B test now, then send the winner to the rest. */
  abDecide?: boolean;
  /** `--ab-winner N`: the editor's winner (1-based), then the rest. */
  abWinner?: number;
  /** The worker: decide the test once its wait is over. */
  abWhenDue?: boolean;
  /** The issue already compiled (a scheduled issue from the state, src/schedule/): `issue` is its slug. */
  prepared?: SendOptions["prepared"];
}

/** What the caller hears during the send. */
export type SendHooks = Pick<SendOptions, "signal" | "confirm" | "onCreateState"> & {
  onWarning?: (d: Diagnostic) => void;
  onProgress?: (p: SendProgress) => void;
};

export async function sendRequest(request: SendRequest, hooks: SendHooks = {}): Promise<SendSummary> {
  const root = resolve(request.root);
  const mode: SendMode = request.test ? "test" : request.dryRun ? "dry-run" : "send";
  const audience = audienceOf(request);
  if (mode === "send" && !request.yes && !request.interactive)
    throw usageError(
      "a real send needs confirmation, and this is not a terminal",
      "add --yes to send without asking (or --dry-run to try it first)",
      "--yes",
    );
  const transport = chooseTransport(request, root, request.env, hooks.onWarning);
  const { state } = request;
  return sendIssue({
    root,
    issue: request.issue,
    prepared: request.prepared,
    audience,
    mode,
    transport,
    stateFile: state.kind === "postgres" ? state.url : state.file,
    rate: request.rate,
    domainRates: request.domainRates,
    // SMTP: twice the pool size in flight, so a connection never waits for the ledger between messages
    concurrency: request.transport === "smtp" && !request.dryRun ? request.concurrency * 2 : request.concurrency,
    maxAttempts: request.maxAttempts,
    retryDelay: request.retryDelay,
    retryWindow: request.retryWindow,
    retryFailed: request.retryFailed,
    allowChanged: request.allowChanged,
    abRequest:
      request.abWinner !== undefined
        ? { winner: request.abWinner }
        : request.abDecide
          ? { decide: "now" }
          : request.abWhenDue
            ? { decide: "due" }
            : undefined,
    allow: { noOneClick: request.allowNoOneClick, unaligned: request.allowUnaligned },
    dkimDomain: request.transport === "sendsay" ? undefined : dkimFromEnv(request.env)?.domainName,
    onWarning: hooks.onWarning,
    onCreateState: hooks.onCreateState,
    signal: hooks.signal,
    env: request.env,
    onProgress: hooks.onProgress,
    confirm: request.yes ? undefined : hooks.confirm,
  });
}

/** `--to`, `--test` or `--subscribers`: exactly one of them. */
function audienceOf(request: SendRequest): AudienceSource {
  if (request.test && request.to)
    throw usageError("--test and --to together", "send test copies with --test a@x.ru alone, then the real send with --to", "--test");
  if (request.subscribers && (request.to || request.test))
    throw usageError("--subscribers with --to or --test", "send to the subscriber list with --subscribers alone", "--subscribers");
  if (request.test) return addressList(request.test);
  if (request.audience && !request.subscribers) throw usageError(t("topics:both"), t("topics:both.fix"), "--audience");
  if (request.subscribers) return subscribersAt(request.state, { root: request.root, audienceName: request.audience });
  if (request.to) return audienceFrom(request.to, request.encoding);
  throw usageError("no recipients", "pass --to list.csv (a CSV with an email column), --to a@x.ru,b@y.ru, or --subscribers", "--to");
}

/** `--to`: a CSV file if there is one by that name, else a list of addresses. */
export function audienceFrom(to: string, encoding: string | undefined, cwd = process.cwd()): AudienceSource {
  const path = resolve(cwd, to);
  if (existsSync(path)) return csvFile(path, { encoding, label: relative(cwd, path) || to });
  if (/\.(csv|tsv|txt)$/i.test(to) || !to.includes("@"))
    throw usageError(
      `no such recipient list: ${to}`,
      "give the path of a CSV file with an email column, or addresses: --to a@x.ru,b@y.ru",
      "--to",
    );
  return addressList(to);
}
