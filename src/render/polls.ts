import { type Diagnostic, error } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { POLL_ID } from "../identity/poll-token.js";

/**
 * Stage 4's poll blocks (docs/polls.md). In Markdown a poll is a fenced block:
 *
 *     ```poll id=next-topic closes=2026-12-31
 *     Which topic next?
 *     - Overdue receivables
 *     - Price talks
 *     ```
 *
 * The email shows the question and one button per answer: a table cell with a background colour around a
 * link, which Outlook draws too (it ignores padding and backgrounds on links). Each button's address is
 * the web version's poll, `<web version>#poll-<id>-<n>`; a send makes it the reader's own signed link
 * (render/poll-links.ts), and the Sendsay campaign keeps it (docs/polls.md). The web version shows the
 * question with the results instead (site/polls-page.ts), filled live by `serve` (assets/polls.js).
 */
export interface Poll {
  id: string;
  question: string;
  answers: string[];
  /** YYYY-MM-DD: votes are taken through that day (UTC); the results stay frozen after it. */
  closes?: string;
}

/** What the Markdown stage is given for poll blocks, and what it gives back. */
export interface PollEnv {
  polls: Poll[];
  diagnostics: Diagnostic[];
  file?: string;
  /** File line of the Markdown's first line, minus one (issue.bodyOffset). */
  lineOffset?: number;
  /** The web version's address (`<url>/<slug>.html`); without it the poll cannot be voted on. */
  webUrl?: string;
}

export const MAX_ANSWERS = 10;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** The end of a poll's last day, as an ISO time: votes after it are not taken. */
export function pollClosesAt(poll: Pick<Poll, "closes">): string | undefined {
  return poll.closes ? `${poll.closes}T23:59:59.999Z` : undefined;
}

export function isClosed(poll: Pick<Poll, "closes">, now = new Date()): boolean {
  const at = pollClosesAt(poll);
  return at !== undefined && now.toISOString() > at;
}

/** The static address of a poll's answer: the web version's poll, one anchor per answer. */
export function answerHref(webUrl: string, id: string, n: number): string {
  return `${webUrl}#poll-${id}-${n}`;
}

/** `poll id=x closes=2026-12-31` (or `closes: 2026-12-31`) → its parts; undefined when it is not a poll block. */
function parseInfo(info: string): { id?: string; closes?: string } | undefined {
  const m = /^poll(?:\s+(.*))?$/.exec(info.trim());
  if (!m) return undefined;
  const rest = m[1] ?? "";
  return {
    id: /(?:^|\s)id\s*[=:]\s*"?([^\s"]+)"?/.exec(rest)?.[1],
    closes: /(?:^|\s)closes\s*[=:]\s*"?([^\s"]+)"?/.exec(rest)?.[1],
  };
}

function validDate(s: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/**
 * A fenced block's poll, or undefined when the block is not one. `line`: the block's first line in the
 * Markdown (0-based). Problems go to env.diagnostics, each naming the file and line; a poll with a problem
 * is rendered as nothing.
 */
export function renderPollBlock(info: string, content: string, line: number, env: PollEnv): string | undefined {
  const head = parseInfo(info);
  if (!head) return undefined;
  const at = { file: env.file, line: (env.lineOffset ?? 0) + line + 1 };
  const fail = (rule: string, key: string, params: Record<string, unknown> = {}) => {
    env.diagnostics.push(error(`poll/${rule}`, t(`polls:${key}`, params), { ...at, fix: t(`polls:${key}.fix`, params) }));
    return "";
  };
  if (!head.id) return fail("no-id", "noId");
  const id = head.id;
  if (!POLL_ID.test(id)) return fail("bad-id", "badId", { id });
  if (head.closes !== undefined && !validDate(head.closes)) return fail("bad-closes", "badCloses", { id, value: head.closes });
  const lines = content
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const question = lines[0] && !/^[-*+]\s/.test(lines[0]) ? lines[0] : undefined;
  if (!question) return fail("no-question", "noQuestion", { id });
  const answers: string[] = [];
  for (const l of lines.slice(1)) {
    const a = /^[-*+]\s+(.+)$/.exec(l);
    if (!a) return fail("stray-line", "stray", { id, line: l });
    if (answers.includes(a[1].trim())) return fail("same-answer", "sameAnswer", { id, answer: a[1].trim() });
    answers.push(a[1].trim());
  }
  if (!answers.length) return fail("no-answers", "noAnswers", { id });
  if (answers.length > MAX_ANSWERS) return fail("too-many-answers", "tooMany", { id, count: answers.length });
  if (env.polls.some((p) => p.id === id)) return fail("duplicate-id", "duplicate", { id, other: env.file ?? "" });
  if (!env.webUrl) return fail("no-url", "noUrl", { id });
  const poll: Poll = { id, question, answers, ...(head.closes ? { closes: head.closes } : {}) };
  env.polls.push(poll);
  return emailBlock(poll, env.webUrl);
}

const BUTTON_TABLE =
  'role="presentation" border="0" cellpadding="0" cellspacing="0" style="width:auto;border-collapse:separate;margin:0 0 10px;"';
const BUTTON_CELL = 'bgcolor="#1c3b5a" style="border:0;padding:0;border-radius:4px;background-color:#1c3b5a;"';
const BUTTON_LINK =
  'style="display:inline-block;padding:10px 20px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.3;color:#ffffff;text-decoration:none;border-radius:4px;"';

/** The email's block: the question and one button per answer. */
function emailBlock(poll: Poll, webUrl: string): string {
  const buttons = poll.answers.map(
    (a, i) =>
      `<table ${BUTTON_TABLE}><tr><td ${BUTTON_CELL}><a href="${escapeHtml(answerHref(webUrl, poll.id, i + 1))}" data-poll-answer="${poll.id}/${i + 1}" ${BUTTON_LINK}>${escapeHtml(a)}</a></td></tr></table>`,
  );
  return `<div class="rsk-poll" data-poll="${poll.id}">\n<p class="rsk-poll-question"><strong>${escapeHtml(poll.question)}</strong></p>\n${buttons.join("\n")}\n</div>\n`;
}
