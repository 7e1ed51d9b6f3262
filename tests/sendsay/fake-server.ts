import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Sendsay's general API, written from its public documentation ("Формат протокола",
 * issue.send, track.get, sys.settings.get), not from our client:
 *
 *   POST /general/api/v100/json/<ACCOUNT>   Content-Type: application/json, body {"action": "…", …}
 *   auth by API key: header `Authorization: sendsay apikey=<key>`
 *   answers are JSON objects; a refused request answers {"errors": [{"id": "…", "explain": "…"}]}
 *   an account served elsewhere answers {"REDIRECT": "<path>"}: the client repeats the request at that path
 *   issue.send answers {"track.id": "<n>"}; track.get {"id": n} answers {"obj": {"id": n, "status": s, …}}
 *   track statuses: -1 done, -2 error, -3 cancelled, other negatives waiting, 0… in progress
 *   issue.send with `sendwhen: "later"` and `later.time` defers the campaign: it answers the track id, by
 *     which issue.later.set {"id", "later.time"} moves it and issue.later.delete {"id"} removes it (an
 *     unknown or removed id is error/issue/later/not_found); `later` lists them. `later.time` is Sendsay's
 *     date-time as its documentation writes dates ("YYYY-MM-DD hh:mm:ss", docs/ecom/how-to-configure-data-
 *     transfer.md), read as Moscow time ("Система работает по московскому времени", docs/email-campaigns/
 *     create-your-campaign/send-by-time-zone.mdx): anything else — no seconds, a "T", an offset, a date
 *     that does not exist — is refused with error/later/time. track.get of a deferred campaign answers a
 *     waiting status (LATER_STATUS) until `release(id)` (its time has come: it then walks trackStatuses);
 *     after issue.later.delete it answers -3 (cancelled)
 *   stat.uni {"select": [...], "filter": [{"a", "op", "v"}]} answers {"list": [[…]]}: one row per issue
 *     matching the filter (here `issue.track.id` or `issue.id` with "=="), values in the order of `select`
 *     (docs/sendsay-api/basic-stat-uni.md); an issue not counted yet has no row. Over the `click.*` and
 *     `deliv.*` areas a row per event (count(*) groups), with `order`, `skip`, `first` (statQuery below
 *     says what it refuses, as {"errors": [{"id": "error/stat/request"}]})
 *   stop lists (docs/subscribers/contacts/stop-lists.md): `member` records («Отписались», the readers'
 *     own) and `owner` records («Заблокированы вручную», the account's); stoplist.get {"type"} answers
 *     {"list": [addresses]}; stoplist.add {"type": "owner", "list": [...]} adds (`member` is refused:
 *     the account may not write the readers' own records); stoplist.delete / stoplist.erase remove
 *
 *   lists (groups) and their members: Sendsay's docs name `member.list` and `member.set` and call a list's
 *     id `group`, but document no request field of either (src/campaign/topic-sync.ts says what is inferred).
 *     As inferred: member.list {"group", "addr_type": "email", "page" (from 1), "pagesize"} answers
 *     {"list": [{"member.email": …}]}, that page of the list's members; member.set {"email", "addr_type",
 *     "obj": {"-group": {<group id>: 0|1}}} takes the member out of (0) or puts them in (1) those lists.
 *     Refused: no or an unknown group, a page or pagesize that is not a positive whole number, an addr_type
 *     other than email, an address without "@", an obj without "-group", a membership other than 0 or 1
 *
 *   issue.split.create / issue.split.get: Sendsay's split test (A/B). Its help page (docs/email-campaigns/
 *     create-your-campaign/a-b-testing.md) documents the notions — two to five variants, a test group as a
 *     share of the list split equally among them, a winning condition (opens, clicks, unsubscribes, by hand),
 *     a test time — not the field names, which are src/campaign/split.ts's: `group`, `letter`, `variants`
 *     [{subject}], `split.size` (percent), `split.time` (minutes), `split.criterion`. create answers {"id"};
 *     get {"id"} answers {"obj": {"id", "status", "winner"}} (winner from 1, null until decided).
 *     `splitRefusal` refuses every create (an account whose plan or rights have no split tests)
 *
 * Faults on demand: REDIRECT hops, an HTTP 502 once, a slow answer, an answer that never comes.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  /** The raw body text. */
  raw: string;
  body: Record<string, unknown> | undefined;
}

export interface Fault {
  /** Only for this action (any when absent). */
  action?: string;
  /** Answer with this HTTP status and a non-JSON body. */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the request hangs until the client gives up or dies). */
  hang?: boolean;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Answer with these errors instead. */
  errors?: { id: string; explain?: string }[];
}

export interface FakeSendsayOptions {
  login: string;
  apiKey: string;
  /** REDIRECT hops before the account's real path answers (default 0); Infinity: always redirect. */
  redirects?: number;
  /** Statuses track.get walks through, one per call, staying on the last (default [0, 1, -1]). */
  trackStatuses?: number[];
  /** `obj.error` when the track ends with -2. */
  trackError?: string;
  /** Addresses that issue.send personal refuses. */
  badEmails?: string[];
  accountName?: string;
  /** Figures stat.uni gives for every campaign issue, by `issue.*` column; `null`: not counted yet. */
  issueStats?: Record<string, number | string> | null;
  /**
   * Clicks stat.uni reports on every campaign issue (`click.*` columns: `click.link.url`,
   * `click.member.email`, `click.dt:Ys` / `:YD` on Moscow's clock, `click.issue.id`, with `count(*)`: one row
   * per distinct value of the other columns, as the docs' "clicks per link" example reads). `at` is ISO.
   */
  clicks?: { url: string; email: string; at: string }[];
  /** Messages of every campaign issue (`deliv.*`: `deliv.member.email`, `deliv.status`, `deliv.issue.id`). */
  deliveries?: { email: string; status: string }[];
  /** Fields this account's stat.uni refuses as unknown (an account that lacks one). */
  unknownFields?: string[];
  /** The account's stop lists (changed by stoplist.add/delete/erase). */
  stopLists?: { member: string[]; owner: string[] };
  /** The account's lists by group id: their members' addresses (changed by member.set). */
  groups?: Record<string, string[]>;
  /** issue.split.create answers this error (the account may not run split tests). */
  splitRefusal?: { id: string; explain?: string };
  /** The variant (from 1) issue.split.get names the winner; absent or null: still testing. */
  splitWinner?: number | null;
}

export interface FakeSendsay {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests that reached the account (not redirects or faults), by action. */
  handled(action?: string): RecordedRequest[];
  addFault(fault: Fault): void;
  /** Resolves when `count` requests with this action have arrived (earlier ones count). */
  waitFor(action: string, count?: number): Promise<void>;
  options: FakeSendsayOptions;
  /** Deferred campaigns by track id: their group, time and subject (removed by issue.later.delete). */
  later: Map<string, { group: string; time: string; subject: string }>;
  /** A deferred campaign's time has come: Sendsay sends it (track.get walks trackStatuses from now on). */
  release(id: string): void;
  /** Split tests created, by id: the request's body. */
  splits: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** track.get's status for a campaign deferred with `sendwhen: "later"` before its time: one the client reads as waiting. */
export const LATER_STATUS = -6;

/** Sendsay's date-time, "YYYY-MM-DD hh:mm:ss", and only a real one (no 31 February, no 24:00). */
export function isSendsayTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

/** What stat.uni counts for a campaign issue unless a test says otherwise (strings, as Sendsay may send). */
export const DEFAULT_ISSUE_STATS: Record<string, number | string> = {
  "issue.members": "3",
  "issue.deliv_ok": "2",
  "issue.deliv_bad": "1",
  "issue.u_readed": "2",
  "issue.u_clicked": "1",
  "issue.unsubed": "1",
};

/** A stat.uni request as the docs write one, or why it is not one. */
export interface StatQuery {
  area: "issue" | "click" | "deliv";
  select: string[];
  filter: { a: string; op: string; v: unknown }[];
  order: string[];
  skip: number;
  first?: number;
}

/**
 * The event fields the fake knows, as the docs name them (basic-stat-uni.md, how-to-unite-requests.md);
 * time modifiers only the documented `:Ys`, `:YD`, `:YM` — an hour (`:YH`) is not in the docs and refused.
 */
export const STAT_FIELDS: Record<"click" | "deliv", string[]> = {
  click: ["click.issue.id", "click.link.url", "click.member.email", "click.dt:Ys", "click.dt:YD"],
  deliv: ["deliv.issue.id", "deliv.member.email", "deliv.status"],
};
const FILTER_OPS = ["==", ">=", "<="];
const ISSUE_FIELDS = ["issue.id", "issue.track.id", ...Object.keys(DEFAULT_ISSUE_STATS)];

/**
 * Reads a stat.uni body and refuses what the docs would not accept: no select, fields of two areas in one
 * select ("Нельзя в одном запросе добавить в select параметры, описывающие разные события"), a field or
 * modifier the docs do not name, an undocumented filter operator, an order on a column not selected, a
 * negative or fractional skip/first.
 */
export function statQuery(body: Record<string, unknown>): StatQuery | { error: string } {
  const select = body.select;
  if (!Array.isArray(select) || !select.length || !select.every((c) => typeof c === "string"))
    return { error: "select is a list of fields" };
  const filter = body.filter ?? [];
  if (!Array.isArray(filter) || !filter.every((f) => f && typeof f === "object" && typeof f.a === "string" && typeof f.op === "string"))
    return { error: "filter is a list of {a, op, v}" };
  const bad = filter.find((f) => !FILTER_OPS.includes(f.op));
  if (bad) return { error: `unknown operator ${bad.op}` };
  const fields = [...select.filter((c) => c !== "count(*)"), ...filter.map((f) => f.a as string)];
  const areas = new Set(fields.map((c) => c.split(".")[0]));
  if (areas.size !== 1) return { error: "fields of different areas in one request" };
  const area = [...areas][0];
  const known = area === "click" || area === "deliv" ? STAT_FIELDS[area] : area === "issue" ? ISSUE_FIELDS : [];
  const unknown = fields.find((c) => !known.includes(c));
  if (unknown) return { error: `unknown field ${unknown}` };
  if (area === "issue" && select.includes("count(*)")) return { error: "count(*) over issue rows" };
  const order = body.order ?? [];
  if (!Array.isArray(order) || !order.every((o) => typeof o === "string" && select.includes(o.replace(/^-/, ""))))
    return { error: "order names selected fields" };
  const count = (v: unknown) => (v === undefined ? undefined : Number.isInteger(v) && (v as number) >= 0 ? (v as number) : Number.NaN);
  const skip = count(body.skip) ?? 0;
  const first = count(body.first);
  if (Number.isNaN(skip) || Number.isNaN(first)) return { error: "skip and first are counts of rows" };
  return { area: area as StatQuery["area"], select, filter: filter as StatQuery["filter"], order: order as string[], skip, first };
}

/** A filter's condition: values compared as Sendsay writes them (times "YYYY-MM-DD hh:mm:ss" sort as text). */
function matches(value: unknown, op: string, v: unknown): boolean {
  const [x, y] = [String(value), String(v)];
  return op === "==" ? x === y : op === ">=" ? x >= y : x <= y;
}

/** An ISO instant on Sendsay's clock (Moscow, UTC+3 all year since 2014): "YYYY-MM-DD hh:mm:ss". */
export function moscowTime(iso: string): string {
  return new Date(Date.parse(iso) + 3 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

export async function startFakeSendsay(options: FakeSendsayOptions): Promise<FakeSendsay> {
  /**
   * stat.uni over an event area (`click.*`, `deliv.*`): a row per event of the campaign issues the filter
   * names; with `count(*)` one row per distinct value of the other columns. Then `order`, `skip`, `first`
   * as the docs' «Последовательность работы запроса stat.uni» says; without an order the rows come in
   * another order on every call ("каждый раз по-разному"), so a client that pages without one gets
   * overlapping pages here too.
   */
  let unordered = 0;
  const eventRows = (q: StatQuery): unknown[][] => {
    const events: Record<string, unknown>[] = [];
    for (const t of tracks.values()) {
      if (!t.issueId || t.deferred) continue;
      if (q.area === "click")
        for (const c of options.clicks ?? []) {
          const at = moscowTime(c.at);
          events.push({
            "click.issue.id": t.issueId,
            "click.link.url": c.url,
            "click.member.email": c.email,
            "click.dt:Ys": at,
            "click.dt:YD": at.slice(0, 10),
          });
        }
      else
        for (const d of options.deliveries ?? [])
          events.push({ "deliv.issue.id": t.issueId, "deliv.member.email": d.email, "deliv.status": d.status });
    }
    const counted = q.select.includes("count(*)");
    const groups = new Map<string, unknown[]>();
    let rows: unknown[][] = [];
    for (const e of events) {
      if (!q.filter.every((f) => matches(e[f.a], f.op, f.v))) continue;
      const values = q.select.map((col) => (col === "count(*)" ? 0 : e[col]));
      if (!counted) {
        rows.push(values);
        continue;
      }
      const key = q.select
        .filter((col) => col !== "count(*)")
        .map((col) => String(e[col]))
        .join("\u0000");
      const group = groups.get(key) ?? values;
      const n = q.select.indexOf("count(*)");
      group[n] = String(Number(group[n]) + 1);
      groups.set(key, group);
    }
    if (counted) rows = [...groups.values()];
    if (q.order.length) {
      const keys = q.order.map((o) => ({ i: q.select.indexOf(o.replace(/^-/, "")), desc: o.startsWith("-") }));
      rows.sort((a, b) => {
        for (const k of keys) {
          const x = String(a[k.i]);
          const y = String(b[k.i]);
          if (x !== y) return (x < y ? -1 : 1) * (k.desc ? -1 : 1);
        }
        return 0;
      });
    } else if (rows.length > 1) {
      // a different order each call: rotate by the number of unordered requests so far
      const by = ++unordered % rows.length;
      rows = [...rows.slice(by), ...rows.slice(0, by)];
    }
    return rows.slice(q.skip, q.first === undefined ? undefined : q.skip + q.first);
  };
  const requests: RecordedRequest[] = [];
  const handledList: RecordedRequest[] = [];
  const faults: (Fault & { left: number })[] = [];
  const waiters: { action: string; count: number; resolve: () => void }[] = [];
  const tracks = new Map<string, { calls: number; issueId?: string; deferred?: "waiting" | "cancelled" }>();
  let nextIssue = 500;
  let nextTrack = 1000;
  const later = new Map<string, { group: string; time: string; subject: string }>();
  const splits = new Map<string, Record<string, unknown>>();
  let nextSplit = 70;
  const redirectsWanted = options.redirects ?? 0;
  const base = `/general/api/v100/json/${options.login}`;
  const hung: ServerResponse[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  const checkWaiters = () => {
    for (const w of [...waiters]) {
      if (requests.filter((r) => r.body?.action === w.action).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const record: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body };
      requests.push(record);
      checkWaiters();
      void answer(record, res);
    });
  });

  async function answer(record: RecordedRequest, res: ServerResponse) {
    const action = String(record.body?.action ?? "");
    const fault = faults.find((f) => f.left > 0 && (!f.action || f.action === action));
    if (fault) {
      fault.left--;
      if (fault.hang) {
        hung.push(res);
        return;
      }
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (res.destroyed || res.socket?.destroyed) return;
      if (fault.status) {
        res.writeHead(fault.status, { "Content-Type": "text/html" });
        res.end(`<html><body>${fault.status} Bad Gateway</body></html>`);
        return;
      }
      if (fault.errors) return json(res, 200, { errors: fault.errors, "request.id": "fake" });
    }
    if (record.method !== "POST") return json(res, 405, { errors: [{ id: "error/http/method", explain: "POST only" }] });
    // The account's path, or one of the redirected ones (/hopN + base).
    const path = (record.path.split("?")[0] ?? "").replace(/\/$/, "");
    const hop = /^\/hop(\d+)(\/general\/api\/v100\/json\/.+)$/.exec(path);
    const rest = hop ? hop[2] : path;
    if (rest !== base) return json(res, 404, { errors: [{ id: "error/account/unknown", explain: `no account at ${path}` }] });
    const hopNo = hop ? Number(hop[1]) : 0;
    if (hopNo < redirectsWanted) return json(res, 200, { REDIRECT: `/hop${hopNo + 1}${base}` });
    if (record.headers.authorization !== `sendsay apikey=${options.apiKey}`)
      return json(res, 200, { errors: [{ id: "error/auth/failed", explain: "wrong apikey or login" }], "request.id": "fake" });
    if (!record.body) return json(res, 200, { errors: [{ id: "error/request/json", explain: "request body is not JSON" }] });
    handledList.push(record);
    switch (action) {
      case "sys.settings.get": {
        const list: Record<string, unknown> = {};
        for (const key of (record.body.list as string[]) ?? []) {
          if (key === "about.id") list[key] = options.login;
          if (key === "about.name") list[key] = options.accountName ?? "Test account";
        }
        return json(res, 200, { list });
      }
      case "issue.send": {
        const letter = record.body.letter as Record<string, unknown> | undefined;
        const message = letter?.message as Record<string, unknown> | undefined;
        if (!letter?.subject || !letter["from.email"] || !message || (!message.html && !message.text))
          return json(res, 200, { errors: [{ id: "error/letter/incomplete", explain: "letter needs subject, from.email and message" }] });
        if (!record.body.group) return json(res, 200, { errors: [{ id: "error/group/missing", explain: "group is required" }] });
        if (record.body.group === "personal") {
          const email = String(record.body.email ?? "");
          if (!email.includes("@")) return json(res, 200, { errors: [{ id: "error/email/invalid", explain: `bad address ${email}` }] });
          if (options.badEmails?.includes(email))
            return json(res, 200, { errors: [{ id: "error/member/unsubscribed", explain: `${email} is in the stop list` }] });
        }
        if (record.body.sendwhen === "later" && !isSendsayTime(String(record.body["later.time"] ?? "")))
          return json(res, 200, { errors: [{ id: "error/later/time", explain: "later.time is YYYY-MM-DD hh:mm:ss" }] });
        const id = String(nextTrack++);
        tracks.set(id, {
          calls: 0,
          issueId: record.body.group === "personal" ? undefined : String(nextIssue++),
          ...(record.body.sendwhen === "later" ? { deferred: "waiting" as const } : {}),
        });
        if (record.body.sendwhen === "later")
          later.set(id, { group: String(record.body.group), time: String(record.body["later.time"]), subject: String(letter.subject) });
        return json(res, 200, { "track.id": id, "request.id": "fake" });
      }
      case "track.get": {
        const id = String(record.body.id ?? "");
        const track = tracks.get(id);
        if (!track) return json(res, 200, { errors: [{ id: "error/track/not_found", explain: `no track ${id}` }] });
        const statuses = options.trackStatuses ?? [0, 1, -1];
        const status =
          track.deferred === "waiting"
            ? LATER_STATUS
            : track.deferred === "cancelled"
              ? -3
              : statuses[Math.min(track.calls, statuses.length - 1)];
        if (!track.deferred) track.calls++;
        const obj: Record<string, unknown> = { id: Number(id), status, action: "issue.send" };
        if (status === -2) obj.error = options.trackError ?? "error/issue/failed";
        return json(res, 200, { obj });
      }
      case "issue.split.create": {
        if (options.splitRefusal) return json(res, 200, { errors: [options.splitRefusal], "request.id": "fake" });
        const body = record.body;
        const letter = body.letter as Record<string, unknown> | undefined;
        const variants = body.variants as { subject?: unknown }[] | undefined;
        const size = Number(body["split.size"]);
        const time = Number(body["split.time"]);
        const problem = !body.group
          ? "group is required"
          : !letter?.["from.email"] || !letter.message
            ? "letter needs from.email and message"
            : !Array.isArray(variants) || variants.length < 2 || variants.length > 5 || variants.some((v) => !v.subject)
              ? "two to five variants, each with a subject"
              : !(size > 0 && size <= 100)
                ? "split.size is a percent of the list"
                : !(time > 0)
                  ? "split.time is minutes"
                  : !["opens", "clicks", "unsubscribes", "manual"].includes(String(body["split.criterion"]))
                    ? "split.criterion is opens, clicks, unsubscribes or manual"
                    : undefined;
        if (problem) return json(res, 200, { errors: [{ id: "error/split/invalid", explain: problem }] });
        const id = String(nextSplit++);
        splits.set(id, body);
        return json(res, 200, { id, "request.id": "fake" });
      }
      case "issue.split.get": {
        const id = String(record.body.id ?? "");
        if (!splits.has(id)) return json(res, 200, { errors: [{ id: "error/split/not_found", explain: `no split test ${id}` }] });
        const winner = options.splitWinner ?? null;
        return json(res, 200, { obj: { id: Number(id), status: winner ? "decided" : "testing", winner } });
      }
      case "issue.later.set":
      case "issue.later.delete": {
        const id = String(record.body.id ?? "");
        const deferred = later.get(id);
        if (!deferred) return json(res, 200, { errors: [{ id: "error/issue/later/not_found", explain: `no deferred issue ${id}` }] });
        if (action === "issue.later.delete") {
          later.delete(id);
          const track = tracks.get(id);
          if (track) track.deferred = "cancelled";
        } else {
          const time = String(record.body["later.time"] ?? "");
          if (!isSendsayTime(time))
            return json(res, 200, { errors: [{ id: "error/later/time", explain: "later.time is YYYY-MM-DD hh:mm:ss" }] });
          deferred.time = time;
        }
        return json(res, 200, {});
      }
      case "stat.uni": {
        const query = statQuery(record.body);
        if ("error" in query) return json(res, 200, { errors: [{ id: "error/stat/request", explain: query.error }] });
        const { select, filter } = query;
        const refused = [...select, ...filter.map((f) => f.a)].find((c) => options.unknownFields?.includes(c));
        if (refused) return json(res, 200, { errors: [{ id: "error/stat/request", explain: `unknown field ${refused}` }] });
        const figures = options.issueStats === undefined ? DEFAULT_ISSUE_STATS : options.issueStats;
        if (query.area !== "issue") return json(res, 200, { list: eventRows(query) });
        const rows: unknown[][] = [];
        for (const [trackId, t] of tracks) {
          // a campaign deferred with sendwhen: later is counted once it is sent (release)
          if (!t.issueId || !figures || t.deferred) continue;
          const row: Record<string, unknown> = { ...figures, "issue.id": t.issueId, "issue.track.id": trackId };
          if (filter.every((f) => f.op === "==" && String(row[f.a]) === String(f.v))) rows.push(select.map((c) => row[c]));
        }
        return json(res, 200, { list: rows });
      }
      case "stoplist.get":
      case "stoplist.add":
      case "stoplist.delete":
      case "stoplist.erase": {
        if (!options.stopLists) options.stopLists = { member: [], owner: [] };
        const lists = options.stopLists;
        const type = String(record.body.type ?? "");
        if (type !== "member" && type !== "owner")
          return json(res, 200, { errors: [{ id: "error/stoplist/type", explain: "type is member or owner" }] });
        if (action === "stoplist.get") return json(res, 200, { list: lists[type] });
        if (type === "member")
          return json(res, 200, {
            errors: [{ id: "error/stoplist/member_denied", explain: "the readers' own records cannot be changed" }],
          });
        if (action === "stoplist.erase") lists.owner = [];
        const list = ((record.body.list as string[] | undefined) ?? []).map((e) => e.toLowerCase());
        if (action === "stoplist.add") for (const e of list) if (!lists.owner.includes(e)) lists.owner.push(e);
        if (action === "stoplist.delete") lists.owner = lists.owner.filter((e) => !list.includes(e));
        return json(res, 200, {});
      }
      case "member.list": {
        const body = record.body;
        const groups = options.groups ?? {};
        const group = String(body.group ?? "");
        const page = body.page === undefined ? 1 : Number(body.page);
        const size = body.pagesize === undefined ? 1000 : Number(body.pagesize);
        const problem = !group
          ? "group is required"
          : !(group in groups)
            ? `no list ${group}`
            : !(Number.isInteger(page) && page > 0 && Number.isInteger(size) && size > 0)
              ? "page and pagesize are positive whole numbers"
              : body.addr_type !== undefined && body.addr_type !== "email"
                ? "addr_type is email"
                : undefined;
        if (problem)
          return json(res, 200, {
            errors: [{ id: group in groups || !group ? "error/member/list" : "error/group/not_found", explain: problem }],
          });
        const members = groups[group].slice((page - 1) * size, page * size);
        return json(res, 200, { list: members.map((email) => ({ "member.email": email })) });
      }
      case "member.set": {
        const body = record.body;
        const groups = options.groups ?? {};
        const email = String(body.email ?? "");
        const obj = body.obj as Record<string, unknown> | undefined;
        const membership = obj?.["-group"] as Record<string, unknown> | undefined;
        const problem = !email.includes("@")
          ? `bad address ${email}`
          : body.addr_type !== undefined && body.addr_type !== "email"
            ? "addr_type is email"
            : !membership || typeof membership !== "object" || Array.isArray(membership)
              ? "obj needs -group: {group id: 0 or 1}"
              : Object.entries(membership).find(([g, v]) => !(g in groups) || (v !== 0 && v !== 1))
                ? "-group names existing lists with 0 or 1"
                : undefined;
        if (problem) return json(res, 200, { errors: [{ id: "error/member/set", explain: problem }] });
        for (const [g, v] of Object.entries(membership as Record<string, 0 | 1>)) {
          const key = email.toLowerCase();
          const rest = groups[g].filter((e) => e.toLowerCase() !== key);
          groups[g] = v === 1 ? [...rest, email] : rest;
        }
        return json(res, 200, {});
      }
      default:
        return json(res, 200, { errors: [{ id: "error/action/unknown", explain: `unknown action ${action}` }] });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    options,
    splits,
    later,
    release(id) {
      later.delete(id);
      const track = tracks.get(id);
      if (track) track.deferred = undefined;
    },
    handled: (action) => (action ? handledList.filter((r) => r.body?.action === action) : handledList),
    addFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    waitFor: (action, count = 1) =>
      new Promise<void>((resolve) => {
        waiters.push({ action, count, resolve });
        checkWaiters();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
