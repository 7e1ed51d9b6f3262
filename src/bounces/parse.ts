import { createHash } from "node:crypto";
import { type Attachment, type HeaderValue, type ParsedMail, simpleParser } from "mailparser";
import { mailtoTokensIn } from "../identity/mailto.js";
import { BOUNCE_HEADER, tokenOfHeader, tokensInText } from "../identity/verp.js";

/**
 * One message from the bounce mailbox, recognised. In this order:
 *   - a message to a reader's own unsubscribe address (`<local>+u-<token>@<domain>` of
 *     `unsubscribe.mailto`, in its To, Delivered-To or X-Original-To): an unsubscribe request;
 *   - a DSN, RFC 3464 inside RFC 6522 `multipart/report; report-type=delivery-status`: one entry per
 *     recipient block (Final-Recipient, Action, Status, Diagnostic-Code);
 *   - an ARF complaint, RFC 5965 `report-type=feedback-report` (Feedback-Type abuse or fraud,
 *     Original-Rcpt-To, and the original message or its headers);
 *   - a non-standard bounce: from a mailer daemon or with a bounce subject AND a failure text we know
 *     (an SMTP status, "user unknown", "mailbox full"…), recognised conservatively;
 *   - anything else is not a bounce: vacation and other auto-replies (RFC 3834 Auto-Submitted,
 *     X-Autoreply, Precedence), delay warnings, mail from people. Those are counted and left alone.
 * mailparser folds `message/delivery-status` into the text unless `keepDeliveryStatus` is set; with it,
 * the status part is an attachment we read field by field.
 */
export type BounceClass = "hard" | "soft" | "complaint";

export interface RecipientResult {
  /** The address the report is about (Final-Recipient / Original-Rcpt-To / the text), if it names one. */
  recipient?: string;
  kind: BounceClass;
  /** RFC 3463 status (5.1.1), or the feedback type (abuse). */
  status?: string;
  diagnostic?: string;
}

export interface ParsedBounce {
  /** The bounce message's own identity: its Message-ID, else a hash of its bytes (idempotent imports). */
  key: string;
  /** `unsubscribe`: a message to a reader's own `unsubscribe.mailto` address (src/identity/mailto.ts). */
  type: "dsn" | "arf" | "nonstandard" | "unsubscribe" | "not-bounce";
  /** For not-bounce: why (auto-reply, delivered, delayed, not recognised). */
  why?: string;
  /** When it happened (the report's Date), ISO. */
  date: string;
  recipients: RecipientResult[];
  /** VERP tokens found: in the envelope headers, in the X-Rassylka-Bounce header of the quoted original. */
  tokens: string[];
  /** The Message-ID of the message that bounced, when the report quotes it. */
  originalMessageId?: string;
  /** The To of the quoted original, when there is one. */
  originalTo?: string;
  /** For `unsubscribe`: the tokens of the `<local>+u-<token>@<domain>` addresses it was sent to. */
  unsubscribeTokens?: string[];
}

export interface ParseOptions {
  /** `unsubscribe.mailto`: a message sent to its per-reader address is an unsubscribe request. */
  unsubscribeMailto?: string;
}

/** RFC 822-style fields (DSN and ARF parts): groups separated by blank lines, continuation lines unfolded. */
export function fieldGroups(text: string): Map<string, string>[] {
  const groups: Map<string, string>[] = [];
  for (const block of text.replace(/\r\n/g, "\n").split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of block.split("\n")) {
      if (/^[ \t]/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
      if (!m) continue;
      last = m[1].toLowerCase();
      // a field given twice (Original-Rcpt-To for each recipient) keeps the first
      if (!fields.has(last)) fields.set(last, m[2].trim());
    }
    if (fields.size) groups.push(fields);
  }
  return groups;
}

/** `rfc822; anna@example.ru` → `anna@example.ru`. */
function addressOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.includes(";") ? value.slice(value.indexOf(";") + 1) : value;
  const m = /<?([^\s<>;"]+@[^\s<>;"]+?)>?$/.exec(v.trim());
  return m?.[1];
}

const STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/**
 * Hard or soft from an RFC 3463 status: 5.x.x is hard, except X.2.2 (mailbox full) and 5.7.x (policy:
 * the receiver refused this message or its sender, not the address), which are soft — as mailbox
 * providers' own bounce lists do; 4.x.x is soft. 2.x.x is not a failure.
 */
export function classOfStatus(status: string): BounceClass | undefined {
  const m = STATUS.exec(status);
  if (!m) return undefined;
  if (m[1] === "2") return undefined;
  if (m[2] === "2" && m[3] === "2") return "soft";
  if (m[1] === "5" && m[2] !== "7") return "hard";
  return "soft";
}

function headerText(value: HeaderValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(", ");
  const v = value as { text?: string; value?: unknown };
  if (typeof v.text === "string") return v.text;
  if (typeof v.value === "string") return v.value;
  return String(value);
}

/** The raw header block of a message (before the first blank line), unfolded. */
function rawHeaderBlock(raw: Buffer): string {
  const text = raw.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
}

const ENVELOPE_FIELDS = /^(to|cc|delivered-to|x-original-to|envelope-to|x-envelope-to|x-rcpt-to|x-forwarded-to|original-recipient):/i;

const ORIGINAL_TYPES = /^(message\/(rfc822|global)|text\/rfc822-headers|message\/global-headers)$/i;
/** The header block that starts a `message/rfc822` or `text/rfc822-headers` part, in the raw bytes. */
const ORIGINAL_PART =
  /^Content-Type:[ \t]*(?:message\/(?:rfc822|global)|text\/rfc822-headers|message\/global-headers)\b.*(?:\r?\n(?!\r?\n).*)*?\r?\n\r?\n((?:.+\r?\n)+)/im;

/**
 * The quoted original (a message/rfc822 part or text/rfc822-headers): its headers, parsed. mailparser
 * gives the part as an attachment, unless it is a `message/rfc822` shown inline: then it merges the
 * part into the text and drops its Message-ID, so the part's header block is read from the raw bytes
 * (a message/rfc822 part is never encoded, RFC 2046 §5.2.1).
 */
async function quotedOriginal(mail: ParsedMail, raw: Buffer): Promise<ParsedMail | undefined> {
  const options = { skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true };
  const part = mail.attachments.find((a) => ORIGINAL_TYPES.test(a.contentType));
  if (part) {
    const content = /headers$/i.test(part.contentType) ? Buffer.concat([part.content, Buffer.from("\r\n\r\n")]) : part.content;
    return simpleParser(content, options);
  }
  const block = ORIGINAL_PART.exec(raw.toString("latin1"))?.[1];
  return block ? simpleParser(Buffer.concat([Buffer.from(block, "latin1"), Buffer.from("\r\n")]), options) : undefined;
}

function partText(mail: ParsedMail, type: RegExp): string | undefined {
  const part: Attachment | undefined = mail.attachments.find((a) => type.test(a.contentType));
  return part?.content.toString("utf8");
}

const AUTO_REPLY_SUBJECT =
  /^(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheit|автоответ|автоматический ответ|отпуск|vacation)\b/i;

/** Why a message is an auto-reply (RFC 3834 and the headers mail systems use), or undefined. */
function autoReply(mail: ParsedMail): string | undefined {
  const h = (name: string) => headerText(mail.headers.get(name))?.trim();
  const submitted = h("auto-submitted");
  if (submitted && submitted.toLowerCase() !== "no") return `Auto-Submitted: ${submitted}`;
  for (const name of ["x-autoreply", "x-autorespond", "x-auto-response-suppress", "x-autoresponder"]) if (h(name)) return name;
  const precedence = h("precedence");
  if (precedence && /auto_reply|bulk|junk|list/i.test(precedence)) return `Precedence: ${precedence}`;
  if (AUTO_REPLY_SUBJECT.test(mail.subject ?? "")) return "subject";
  return undefined;
}

const DAEMON_FROM = /(mailer-daemon|postmaster|mail delivery (subsystem|system)|mailer_daemon|mdaemon)/i;
const BOUNCE_SUBJECT =
  /(undeliver|undelivered|delivery (status notification|failure|has failed|failed)|mail delivery failed|returned mail|failure notice|returned to sender|не ?доставлен|недоставленное|ошибка доставки)/i;
const SOFT_TEXT =
  /(mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|insufficient (system )?storage|ящик переполнен|превышен[аоы]? квот)/i;
const HARD_TEXT =
  /(user unknown|unknown user|no such (user|recipient|mailbox)|mailbox (unavailable|not found|does not exist)|(address|recipient|user|account) (does not exist|doesn't exist|not found|rejected)|no mailbox here|invalid (recipient|mailbox)|account (is |has been )?disabled|нет такого (пользователя|ящика)|(пользователь|адрес|ящик) не существует)/i;
const DELAY_TEXT = /(delay(ed)?|will (retry|try again|keep trying)|still (trying|being retried)|warning message only|задерж)/i;
/** Where MTAs start the copy of the message in a plain-text bounce (qmail, Exim, Sendmail, Exchange). */
const QUOTED_COPY =
  /^.*(below this line is a copy|this is a copy of the message|original message follows|message's headers|unsent message below|original message headers)/im;
const SMTP_REPLY = /\b([45])\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3})?/;

function dsnResults(status: string): { results: RecipientResult[]; actions: string[] } {
  const results: RecipientResult[] = [];
  const actions: string[] = [];
  // the first group is per-message (Reporting-MTA…); the rest are per recipient
  for (const g of fieldGroups(status)) {
    const action = g.get("action")?.toLowerCase();
    if (!action) continue;
    actions.push(action);
    if (action !== "failed") continue;
    const code = STATUS.exec(g.get("status") ?? "")?.[0];
    const diagnostic = g.get("diagnostic-code")?.replace(/^smtp;\s*/i, "");
    let kind = code ? classOfStatus(code) : undefined;
    if (!kind && diagnostic) {
      const reply = SMTP_REPLY.exec(diagnostic);
      kind = SOFT_TEXT.test(diagnostic) ? "soft" : reply ? (reply[1] === "5" ? "hard" : "soft") : undefined;
    }
    results.push({
      recipient: addressOf(g.get("final-recipient")) ?? addressOf(g.get("original-recipient")),
      kind: kind ?? "hard",
      status: code,
      diagnostic: diagnostic?.slice(0, 500),
    });
  }
  return { results, actions };
}

/** Addresses in a text that are not the bounce's own (mailer daemon, postmaster, the bounce address). */
function addressesIn(text: string, exclude: (a: string) => boolean): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?/g)) {
    const a = m[1].toLowerCase().replace(/\.$/, "");
    if (!exclude(a)) found.add(a);
  }
  return [...found];
}

function nonStandard(mail: ParsedMail, text: string, exclude: (a: string) => boolean): RecipientResult[] | undefined {
  const from = headerText(mail.headers.get("from")) ?? "";
  if (!DAEMON_FROM.test(from) && !BOUNCE_SUBJECT.test(mail.subject ?? "")) return undefined;
  const code = STATUS.exec(text)?.[0];
  const reply = SMTP_REPLY.exec(text);
  let kind: BounceClass | undefined;
  if (SOFT_TEXT.test(text)) kind = "soft";
  else if (code && classOfStatus(code)) kind = classOfStatus(code);
  else if (HARD_TEXT.test(text)) kind = "hard";
  else if (reply) kind = reply[1] === "5" ? "hard" : "soft";
  if (!kind) return undefined;
  // a delay warning that names no permanent failure is not a bounce
  if (kind === "soft" && DELAY_TEXT.test(text) && !SOFT_TEXT.test(text)) return undefined;
  const line = text.split(/\r?\n/).find((l) => SOFT_TEXT.test(l) || HARD_TEXT.test(l) || STATUS.test(l) || SMTP_REPLY.test(l));
  // the failed address only when the report (above the copy of the message) names exactly one;
  // anything else is left to the token and the Message-ID
  const report = text.split(QUOTED_COPY)[0];
  const candidates = addressesIn(report, exclude);
  return [{ recipient: candidates.length === 1 ? candidates[0] : undefined, kind, status: code, diagnostic: line?.trim().slice(0, 500) }];
}

export async function parseBounce(raw: Buffer, options: ParseOptions = {}): Promise<ParsedBounce> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: false, skipTextLinks: true, skipImageLinks: true });
  const messageId = mail.messageId?.trim();
  const key = messageId ? `mid:${messageId.toLowerCase()}` : `sha256:${createHash("sha256").update(raw).digest("hex")}`;
  const date = (mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : new Date()).toISOString();
  const original = await quotedOriginal(mail, raw);
  const envelope = rawHeaderBlock(raw)
    .split(/\r?\n/)
    .filter((l) => ENVELOPE_FIELDS.test(l))
    .join("\n");
  const body = `${mail.text ?? ""}\n${mail.attachments.map((a) => (/^(message|text)\//i.test(a.contentType) ? a.content.toString("utf8") : "")).join("\n")}`;
  const quotedHeader = tokenOfHeader(headerText(original?.headers.get(BOUNCE_HEADER.toLowerCase())));
  const inlineHeader = [...body.matchAll(new RegExp(`^${BOUNCE_HEADER}:\\s*([0-9a-f]{24})\\s*$`, "gim"))].map((m) => m[1].toLowerCase());
  const tokens = [...new Set([...tokensInText(envelope), ...(quotedHeader ? [quotedHeader] : []), ...inlineHeader, ...tokensInText(body)])];
  const originalMessageId = original?.messageId ?? /^Message-ID:\s*(<[^>\s]+>)/im.exec(body)?.[1] ?? undefined;
  const originalTo = original?.to ? headerText(original.to as unknown as HeaderValue) : undefined;
  const base = { key, date, tokens, originalMessageId, originalTo };

  // only the message's own address lines count: a bounce quoting one of our messages carries the
  // reader's address in its List-Unsubscribe, and must stay a bounce
  const unsubscribeTokens = options.unsubscribeMailto ? mailtoTokensIn(envelope, options.unsubscribeMailto) : [];
  if (unsubscribeTokens.length) return { ...base, type: "unsubscribe", recipients: [], unsubscribeTokens };

  const contentType = mail.headers.get("content-type") as { value?: string; params?: Record<string, string> } | undefined;
  const reportType =
    contentType?.value?.toLowerCase() === "multipart/report" ? contentType.params?.["report-type"]?.toLowerCase() : undefined;

  const status = partText(mail, /^message\/(global-)?delivery-status$/i);
  if (status && (reportType === "delivery-status" || reportType === undefined)) {
    const { results, actions } = dsnResults(status);
    if (results.length) return { ...base, type: "dsn", recipients: results };
    return {
      ...base,
      type: "not-bounce",
      why: `delivery notification (${[...new Set(actions)].join(", ") || "no action"})`,
      recipients: [],
    };
  }

  const feedback = partText(mail, /^message\/feedback-report$/i);
  if (feedback && (reportType === "feedback-report" || reportType === undefined)) {
    const fields = fieldGroups(feedback)[0] ?? new Map<string, string>();
    const type = fields.get("feedback-type")?.toLowerCase() ?? "";
    if (type !== "abuse" && type !== "fraud")
      return { ...base, type: "not-bounce", why: `feedback report of type "${type}"`, recipients: [] };
    const recipient = addressOf(fields.get("original-rcpt-to")) ?? (original?.to ? addressOf(originalTo) : undefined);
    return { ...base, type: "arf", recipients: [{ recipient, kind: "complaint", status: type }] };
  }

  const self = new Set(
    [mail.from?.value ?? [], ...(Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).map((t) => t.value)]
      .flat()
      .map((a) => a.address?.toLowerCase())
      .filter((a): a is string => Boolean(a)),
  );
  const exclude = (a: string) => self.has(a) || DAEMON_FROM.test(a) || /\+[0-9a-f]{24}@/i.test(a) || a === messageId?.replace(/[<>]/g, "");
  const why = autoReply(mail);
  // a mailer daemon's report also says Auto-Submitted: auto-replied (RFC 3834 §5), so look for one first
  const nonstandard = nonStandard(mail, mail.text ?? "", (a) => exclude(a) || a === originalMessageId?.replace(/[<>]/g, "").toLowerCase());
  if (nonstandard) {
    const recipient = nonstandard[0].recipient ?? (original?.to ? addressOf(originalTo) : undefined);
    return { ...base, type: "nonstandard", recipients: [{ ...nonstandard[0], recipient }] };
  }
  return { ...base, type: "not-bounce", why: why ? `auto-reply (${why})` : "not recognised as a bounce", recipients: [] };
}
