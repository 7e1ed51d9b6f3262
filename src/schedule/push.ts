import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { loadAudience } from "../audience/file.js";
import { compileOrThrow } from "../compile/compile.js";
import { type Diagnostic, error, isRassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { parseIssue } from "../issue/load.js";
import { slugFromFile } from "../issue/slug.js";
import { listIssueFiles, loadProject, type Project } from "../project/project.js";
import { checkBeforeSend, type PreparedIssue } from "../send/send-issue.js";
import { stateLocation } from "../state/location.js";
import type { ScheduleEntry, ScheduleRow } from "../state/schedule.js";
import { openStore, type Store } from "../state/store.js";
import { sha256, toPosix } from "../util/fs.js";
import { DEFAULT_TIMEZONE, parseZonedTime } from "../util/zoned-time.js";
import { audienceKey, type SendsayScheduler, sendsayGroupOf } from "./audience.js";

/**
 * `rassylka schedule push` (docs/schedule.md): every issue with a `sendAt` (not a draft) is compiled and
 * recorded with its time in the state, so the sending machine needs neither the repository nor the
 * build. What a push does to each recorded issue is its `action`: `added`, `updated` (time, content or
 * audience changed), `unchanged`, `cancelled` (its `sendAt` removed, the file deleted or made a draft),
 * `frozen` (its send began: never changed), `missed` (already past the late limit: recorded, not sent).
 * An issue that does not compile is reported and its record left as it was: one bad issue never
 * stops the others, nor cancels itself by a typo.
 */
export type PushAction = "added" | "updated" | "unchanged" | "cancelled" | "frozen" | "missed";

export interface PushedIssue {
  slug: string;
  file?: string;
  /** ISO 8601, UTC: the time recorded (for `frozen`, the time of the send that began). */
  sendAt: string;
  /** The time recorded before this push, when it changed. */
  previousSendAt?: string;
  state: ScheduleRow["state"];
  action: PushAction;
  audience: unknown;
}

export interface PushResult {
  /** The newsletter's time zone (newsletter.yaml `timezone`, default Europe/Moscow): how times are shown. */
  timezone: string;
  issues: PushedIssue[];
  /** Issues that could not be recorded (their records are left as they were). */
  diagnostics: Diagnostic[];
}

export interface PushOptions {
  root: string;
  /** `--state`: a file or postgres:// URL; default RASSYLKA_DATABASE_URL, else the state file under root. */
  state?: string;
  env?: NodeJS.ProcessEnv;
  /** The clock (tests). */
  now?: () => number;
  /** The Sendsay side of `{sendsay: group}` audiences (src/schedule/sendsay.ts); made when one is needed. */
  sendsay?: (project: Project) => SendsayScheduler;
}

/** One issue of the repository, ready to record. */
interface Wanted {
  entry: ScheduleEntry;
  file: string;
  prepared: PreparedIssue;
}

export async function pushSchedule(options: PushOptions): Promise<PushResult> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const project = await loadProject(options.root);
  const { wanted, kept, diagnostics } = await readRepository(project, now());
  const store = await openStore(stateLocation(project.root, options.state, env));
  try {
    const issues: PushedIssue[] = [];
    let sendsay: SendsayScheduler | undefined;
    const sendsayFor = () => {
      sendsay ??= (options.sendsay ?? defaultSendsay(env))(project);
      return sendsay;
    };
    for (const w of wanted) {
      try {
        issues.push(await record(store, w, sendsayFor));
      } catch (e) {
        if (!isRassylkaError(e)) throw e;
        diagnostics.push(...e.diagnostics.map((d) => ({ ...d, file: d.file ?? w.file })));
      }
    }
    const recorded = new Set([...wanted.map((w) => w.entry.slug), ...kept]);
    for (const row of await store.schedule.all()) {
      if (recorded.has(row.slug) || (row.state !== "scheduled" && row.state !== "missed")) continue;
      const group = sendsayGroupOf(row.audience);
      if (group !== undefined && row.sendsayIssueId) await sendsayFor().cancel(row.sendsayIssueId);
      if (await store.schedule.cancel(row.slug))
        issues.push({ slug: row.slug, sendAt: row.sendAt, state: "cancelled", action: "cancelled", audience: JSON.parse(row.audience) });
    }
    return { timezone: project.config.config.timezone ?? DEFAULT_TIMEZONE, issues, diagnostics };
  } finally {
    await store.close();
  }
}

function defaultSendsay(env: NodeJS.ProcessEnv): (project: Project) => SendsayScheduler {
  return (project) => {
    // loaded only for a Sendsay audience: the client is not needed by a push to subscribers
    let made: Promise<SendsayScheduler> | undefined;
    const real = () => {
      made ??= import("./sendsay.js").then((m) => m.sendsayScheduler(project.config.config, env));
      return made;
    };
    return {
      schedule: async (...a) => (await real()).schedule(...a),
      move: async (...a) => (await real()).move(...a),
      cancel: async (...a) => (await real()).cancel(...a),
    };
  };
}

/** Records one issue, or says why it is left as it was. */
async function record(store: Store, w: Wanted, sendsayFor: () => SendsayScheduler): Promise<PushedIssue> {
  const { entry } = w;
  const before = await store.schedule.get(entry.slug);
  const audience = JSON.parse(entry.audience);
  const shown = (row: Pick<ScheduleRow, "sendAt" | "state">, action: PushAction): PushedIssue => ({
    slug: entry.slug,
    file: w.file,
    sendAt: row.sendAt,
    ...(before && before.sendAt !== entry.sendAt && action !== "frozen" ? { previousSendAt: before.sendAt } : {}),
    state: row.state,
    action,
    audience,
  });
  if (before && (before.state === "sending" || before.state === "sent")) return shown(before, "frozen");
  if (
    before &&
    before.state === entry.state &&
    before.sendAt === entry.sendAt &&
    before.contentHash === entry.contentHash &&
    before.audience === entry.audience &&
    before.lateLimitMs === entry.lateLimitMs
  )
    return shown(before, "unchanged");
  const group = sendsayGroupOf(entry.audience);
  if (group !== undefined && entry.state === "scheduled") {
    // Sendsay holds the campaign and sends it at the time; a new content is a new campaign
    const sendsay = sendsayFor();
    const sameCampaign = before?.sendsayIssueId && before.contentHash === entry.contentHash && before.audience === entry.audience;
    if (sameCampaign && before.state === "scheduled") {
      await sendsay.move(before.sendsayIssueId!, entry.sendAt);
      entry.sendsayIssueId = before.sendsayIssueId;
    } else {
      if (before?.sendsayIssueId && before.state === "scheduled") await sendsay.cancel(before.sendsayIssueId);
      entry.sendsayIssueId = await sendsay.schedule(w.prepared, group, entry.sendAt);
    }
  } else if (group !== undefined && before?.sendsayIssueId && before.state === "scheduled") {
    await sendsayFor().cancel(before.sendsayIssueId);
  }
  if (!(await store.schedule.put(entry))) {
    // a worker began the send between the read and the write: the send's version stands
    const now = (await store.schedule.get(entry.slug)) ?? before!;
    return shown(now, "frozen");
  }
  return shown(entry, before ? (entry.state === "missed" ? "missed" : "updated") : entry.state === "missed" ? "missed" : "added");
}

/** The repository's scheduled issues; `kept`: slugs of files that could not be read (their records stay). */
async function readRepository(project: Project, now: number): Promise<{ wanted: Wanted[]; kept: string[]; diagnostics: Diagnostic[] }> {
  const config = project.config.config;
  const zone = config.timezone ?? DEFAULT_TIMEZONE;
  const wanted: Wanted[] = [];
  const kept: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const absPath of await listIssueFiles(project.root)) {
    const file = toPosix(relative(project.root, absPath));
    const fail = (found: Diagnostic[]) => {
      diagnostics.push(...found.map((d) => ({ ...d, file: d.file ?? file })));
      kept.push(slugFromFile(file));
    };
    const text = await readFile(absPath, "utf8").catch(() => undefined);
    if (text === undefined) {
      fail([error("schedule/unreadable", t("schedule:unreadable"), { file, fix: t("schedule:unreadable.fix") })]);
      continue;
    }
    const { issue, diagnostics: parsed } = parseIssue(text, file, config);
    if (!issue) {
      fail(parsed);
      continue;
    }
    if (!issue.sendAt || issue.draft) continue;
    const at = parseZonedTime(issue.sendAt, zone);
    if (!at) {
      fail([
        error("schedule/bad-time", t("schedule:badTime", { value: issue.sendAt }), {
          file,
          field: "sendAt",
          fix: t("schedule:badTime.fix"),
        }),
      ]);
      continue;
    }
    const audience = issue.audience ?? "subscribers";
    if (typeof audience === "string" && audience !== "subscribers") {
      // an audience file (docs/audiences.md): checked now, read again by the worker when the send starts
      const loaded = await loadAudience(
        project.root,
        audience,
        config.topics.map((x) => x.id),
      );
      if (!loaded.filter) {
        fail(
          loaded.diagnostics.map((d) =>
            d.ruleId === "audience/missing"
              ? {
                  ...d,
                  file,
                  field: "audience",
                  ruleId: "schedule/unknown-audience",
                  fix: `${d.fix}; ${t("schedule:unknownAudience.fix")}`,
                }
              : d,
          ),
        );
        continue;
      }
    }
    try {
      const { compiled } = await compileOrThrow(project, absPath);
      const prepared: PreparedIssue = { compiled, config };
      await checkBeforeSend(project, prepared, "send");
      const payload = JSON.stringify(prepared);
      const sendAt = at.toISOString();
      wanted.push({
        file,
        prepared,
        entry: {
          slug: compiled.slug,
          subject: compiled.subject,
          sendAt,
          lateLimitMs: config.scheduleLateLimit,
          state: at.getTime() + config.scheduleLateLimit < now ? "missed" : "scheduled",
          audience: audienceKey(audience),
          contentHash: sha256(payload),
          issue: payload,
        },
      });
    } catch (e) {
      if (!isRassylkaError(e)) throw e;
      fail(e.diagnostics);
    }
  }
  return { wanted, kept, diagnostics };
}
