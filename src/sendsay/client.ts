import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, RassylkaError } from "../diagnostics.js";
import { type Translator, t, tr, translator } from "../i18n/index.js";
import { redactor } from "../util/redact.js";

/**
 * Our own small client for Sendsay's general API (the official JS client is unmaintained and untyped).
 *
 *   POST <base>/general/api/v100/json/<login>     body: {"action": "…", …} as JSON (UTF-8)
 *   Authorization: sendsay apikey=<SENDSAY_APIKEY>
 *
 * Answers are JSON. Three shapes matter here (Sendsay API docs, "Формат протокола"):
 *   {"REDIRECT": "/general/api/v100/json/<login>"}  the account lives elsewhere: send the same request to
 *                                                   base + that path (at most 10 times) and keep using it;
 *   {"errors": [{"id": "error/auth/failed", "explain": "…"}]}   the request was refused, nothing done;
 *   anything else                                   the result, e.g. {"track.id": "123"} for issue.send.
 *
 * HTTP 5xx and network errors are retried with backoff when the request is safe to repeat. A request that
 * is not (issue.send to a whole list) is repeated only when it provably never reached Sendsay: a 502/504
 * or a timeout may mean it is still being processed (Sendsay documents 502/504 for requests that run
 * longer than the limit), so the caller gets an "in doubt" error instead of a second campaign.
 *
 * The key never leaves this module except in the Authorization header: it is not in errors or events,
 * and any echo of it in an answer is masked.
 */

export const DEFAULT_API_URL = "https://api.sendsay.ru";
export const API_PATH = "/general/api/v100/json/";
export const MAX_REDIRECTS = 10;
export const ENV_APIKEY = "SENDSAY_APIKEY";
export const ENV_LOGIN = "SENDSAY_LOGIN";
export const ENV_API_URL = "SENDSAY_API_URL";

export interface SendsayCredentials {
  login: string;
  apiKey: string;
  /** Scheme and host (and port), no path: `https://api.sendsay.ru`. */
  baseUrl: string;
}

/** Progress and retries, for the CLI to show; never carries the key. */
export type SendsayEvent =
  | { type: "retry"; action: string; attempt: number; delayMs: number; reason: string }
  | { type: "redirect"; action: string; path: string };

export interface SendsayClientOptions extends SendsayCredentials {
  /** Per HTTP request; default 60 s. */
  timeoutMs?: number;
  /** Attempts for a request that may be repeated (default 5). */
  maxAttempts?: number;
  /** First backoff delay; doubles each time, with jitter (default 1000 ms). */
  backoffMs?: number;
  onEvent?: (event: SendsayEvent) => void;
}

export interface RequestOptions {
  /**
   * May the request be sent again when the first try's fate is unknown (5xx, timeout, dropped
   * connection)? True for reads (track.get, sys.settings.get). False for issue.send.
   */
  idempotent: boolean;
}

export interface SendsayApiErrorItem {
  id: string;
  explain?: string;
}

export type SendsayErrorKind = "auth" | "recipient" | "rate" | "request";

/** Sendsay answered with `errors`: the request was refused and nothing was done. */
export class SendsayApiError extends RassylkaError {
  readonly errorId: string;
  readonly explain: string;
  readonly kind: SendsayErrorKind;
  readonly action: string;
  constructor(action: string, items: SendsayApiErrorItem[], mask: (s: string) => string) {
    const first = items[0] ?? { id: "error/unknown" };
    const kind = classifyError(first.id);
    const explain = mask(first.explain ?? "");
    const refused = (w: Translator, item: SendsayApiErrorItem) =>
      w.t("sendsay:error.refused", { action, id: item.id, explain: item.explain ? ` (${mask(item.explain)})` : "" });
    const diagnostics: Diagnostic[] = items.map((item) => ({
      ruleId: "sendsay/api-error",
      severity: "error",
      message: refused(tr(), item),
      fix: fixFor(item.id, action),
    }));
    super(diagnostics, { english: items.map((item) => refused(translator("en"), item)) });
    this.name = "SendsayApiError";
    this.errorId = first.id;
    this.explain = explain;
    this.kind = kind;
    this.action = action;
  }
}

/**
 * Sendsay could not be reached or answered with an HTTP error, after the retries allowed.
 * `inDoubt`: the request may have been carried out (the answer was lost), so it must not be repeated blindly.
 */
export class SendsayTransportError extends RassylkaError {
  readonly inDoubt: boolean;
  readonly status?: number;
  readonly action: string;
  constructor(action: string, reason: Words, inDoubt: boolean, baseUrl: string, status?: number, cause?: unknown) {
    const en = translator("en");
    super(
      {
        ruleId: inDoubt ? "sendsay/in-doubt" : "sendsay/unreachable",
        severity: "error",
        message: t("sendsay:error.transport", { action, reason: reason(tr()) }),
        fix: inDoubt ? t("sendsay:error.inDoubt.fix") : t("sendsay:error.unreachable.fix", { url: baseUrl, env: ENV_API_URL }),
      },
      { cause, english: [en.t("sendsay:error.transport", { action, reason: reason(en) })] },
    );
    this.name = "SendsayTransportError";
    this.inDoubt = inDoubt;
    this.status = status;
    this.action = action;
  }
}

export function classifyError(id: string): SendsayErrorKind {
  const s = id.toLowerCase();
  if (/auth|apikey|login|passw|session|forbidden|permission|access|denied|lbac/.test(s)) return "auth";
  if (/rate|limit|too_many|toomany|busy|overload|later|temporar/.test(s)) return "rate";
  if (/email|addr|member|recipient|stoplist|unsub|bounce/.test(s)) return "recipient";
  return "request";
}

function fixFor(id: string, action: string): string {
  switch (classifyError(id)) {
    case "auth":
      return t("sendsay:error.auth.fix", { apikey: ENV_APIKEY, login: ENV_LOGIN });
    case "rate":
      return t("sendsay:error.rate.fix");
    case "recipient":
      return t("sendsay:error.recipient.fix");
    default:
      if (/group/.test(id)) return t("sendsay:error.group.fix");
      if (/issue\.send|letter|from|draft/.test(id) || action === "issue.send") return t("sendsay:error.letter.fix");
      return t("sendsay:error.other.fix", { id });
  }
}

/** Login, key and base URL from the environment and newsletter.yaml; a clear error for what is missing. */
export function sendsayCredentials(
  config: Pick<NewsletterConfig, "sendsay"> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SendsayCredentials {
  const diagnostics: Diagnostic[] = [];
  const english: string[] = [];
  const en = translator("en");
  const apiKey = env[ENV_APIKEY]?.trim();
  const login = (env[ENV_LOGIN]?.trim() || config?.sendsay?.login)?.trim();
  if (!apiKey) {
    diagnostics.push({
      ruleId: "sendsay/no-apikey",
      severity: "error",
      message: t("sendsay:error.noApikey", { env: ENV_APIKEY }),
      fix: t("sendsay:error.noApikey.fix", { env: ENV_APIKEY }),
    });
    english.push(en.t("sendsay:error.noApikey", { env: ENV_APIKEY }));
  }
  if (!login) {
    diagnostics.push({
      ruleId: "sendsay/no-login",
      severity: "error",
      message: t("sendsay:error.noLogin"),
      field: "sendsay.login",
      file: "newsletter.yaml",
      fix: t("sendsay:error.noLogin.fix", { env: ENV_LOGIN }),
    });
    english.push(en.t("sendsay:error.noLogin"));
  }
  const raw = env[ENV_API_URL]?.trim() || DEFAULT_API_URL;
  let baseUrl = DEFAULT_API_URL;
  try {
    const u = new URL(raw);
    if (!/^https?:$/.test(u.protocol)) throw new Error("not http(s)");
    baseUrl = `${u.protocol}//${u.host}`;
  } catch {
    diagnostics.push({
      ruleId: "sendsay/bad-api-url",
      severity: "error",
      message: t("sendsay:error.badApiUrl", { env: ENV_API_URL, value: raw }),
      fix: t("sendsay:error.badApiUrl.fix", { url: DEFAULT_API_URL }),
    });
    english.push(en.t("sendsay:error.badApiUrl", { env: ENV_API_URL, value: raw }));
  }
  if (diagnostics.length) throw new RassylkaError(diagnostics, { english });
  return { apiKey: apiKey!, login: login!, baseUrl };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Network errors where the request certainly did not reach the server: safe to repeat anything. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A text written out in a given language: a failed attempt's reason, in the editor's words and in English. */
type Words = (w: Translator) => string;

type Attempt =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; reason: Words; status?: number; retryable: boolean; inDoubt: boolean; cause?: unknown };

export class SendsayClient {
  readonly login: string;
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #redact: (text: string) => string;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #onEvent?: (event: SendsayEvent) => void;
  /** Remembered REDIRECT path: later requests go straight there. */
  #path: string;

  constructor(options: SendsayClientOptions) {
    this.login = options.login;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#redact = redactor([options.apiKey]);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#backoffMs = options.backoffMs ?? 1000;
    this.#onEvent = options.onEvent;
    this.#path = `${API_PATH}${encodeURIComponent(options.login)}`;
  }

  /** Where requests go now (after any redirect). No secrets in it. */
  get endpoint(): string {
    return `${this.baseUrl}${this.#path}`;
  }

  /** Masks the key wherever it might appear in text that leaves this module. */
  mask = (text: string): string => this.#redact(text);

  /**
   * One API call: follows REDIRECT, turns `errors` into SendsayApiError, retries 5xx and network errors
   * as `options.idempotent` allows. Resolves with the answer's JSON object.
   */
  async request<T extends Record<string, unknown> = Record<string, unknown>>(
    body: { action: string } & Record<string, unknown>,
    options: RequestOptions,
  ): Promise<T> {
    const payload = JSON.stringify(body);
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      attempt++;
      const result = await this.#once(payload);
      if (!result.ok) {
        const repeat = result.retryable && (options.idempotent || !result.inDoubt) && attempt < this.#maxAttempts;
        if (!repeat) {
          const inDoubt = result.inDoubt && !options.idempotent;
          const { reason } = result;
          const tries = (w: Translator) => (attempt > 1 ? w.t("sendsay:error.attempts", { count: attempt }) : "");
          throw new SendsayTransportError(
            body.action,
            (w) => `${this.mask(reason(w))}${tries(w)}`,
            inDoubt,
            this.baseUrl,
            result.status,
            result.cause,
          );
        }
        const delayMs = Math.round(this.#backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
        this.#onEvent?.({ type: "retry", action: body.action, attempt, delayMs, reason: this.mask(result.reason(tr())) });
        await sleep(delayMs);
        continue;
      }
      const answer = result.body;
      if (Array.isArray(answer.errors) && answer.errors.length) {
        const items = (answer.errors as unknown[]).map((e) => {
          const o = (e ?? {}) as Record<string, unknown>;
          return { id: String(o.id ?? "error/unknown"), explain: o.explain === undefined ? undefined : String(o.explain) };
        });
        throw new SendsayApiError(body.action, items, this.mask);
      }
      if (typeof answer.REDIRECT === "string" && answer.REDIRECT) {
        redirects++;
        if (redirects > MAX_REDIRECTS)
          throw new SendsayTransportError(
            body.action,
            (w) => w.t("sendsay:error.redirects", { count: MAX_REDIRECTS, to: answer.REDIRECT }),
            false,
            this.baseUrl,
          );
        const path = answer.REDIRECT.startsWith("/") ? answer.REDIRECT : `/${answer.REDIRECT}`;
        this.#path = path;
        this.#onEvent?.({ type: "redirect", action: body.action, path });
        attempt = 0;
        continue;
      }
      return answer as T;
    }
  }

  async #once(payload: string): Promise<Attempt> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          Accept: "application/json",
          Authorization: `sendsay apikey=${this.#apiKey}`,
        },
        body: payload,
        redirect: "error",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const code = errorCode(error);
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError")
        return {
          ok: false,
          reason: (w) => w.t("sendsay:reason.timeout", { ms: this.#timeoutMs }),
          retryable: true,
          inDoubt: true,
          cause: undefined,
        };
      const notConnected = code !== undefined && NOT_CONNECTED.has(code);
      return {
        ok: false,
        reason: (w) => w.t("sendsay:reason.unreachable", { url: this.baseUrl, error: code ?? (error as Error).message }),
        retryable: true,
        inDoubt: !notConnected,
      };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
      return {
        ok: false,
        reason: (w) =>
          timedOut
            ? w.t("sendsay:reason.unfinished", { ms: this.#timeoutMs })
            : w.t("sendsay:reason.brokeOff", { error: errorCode(error) ?? (error as Error).message }),
        retryable: true,
        inDoubt: true,
      };
    }
    if (response.status >= 500) {
      // 503 is Sendsay's "slow down" (rate limit, overload): the request was not taken. 500/502/504 may
      // come after the work was done (a request that ran past the time limit).
      return {
        ok: false,
        reason: () => `HTTP ${response.status}`,
        status: response.status,
        retryable: true,
        inDoubt: response.status !== 503,
      };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return {
        ok: false,
        reason: (w) => w.t("sendsay:reason.notJson", { status: response.status, text: JSON.stringify(text.slice(0, 120)) }),
        status: response.status,
        retryable: false,
        inDoubt: response.ok,
      };
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return {
        ok: false,
        reason: (w) => w.t("sendsay:reason.notObject", { status: response.status }),
        status: response.status,
        retryable: false,
        inDoubt: response.ok,
      };
    }
    // A 4xx with a JSON body still carries `errors` (auth failures): let the caller read them.
    if (!response.ok && !Array.isArray((body as Record<string, unknown>).errors)) {
      return { ok: false, reason: () => `HTTP ${response.status}`, status: response.status, retryable: false, inDoubt: false };
    }
    return { ok: true, body: body as Record<string, unknown> };
  }
}
