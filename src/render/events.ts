import type { NewsletterConfig, NewsletterEvent } from "../config/schema.js";
import type { Issue } from "../issue/load.js";

export interface FooterEvent extends NewsletterEvent {
  /** The date in the newsletter's language: "24 июня". */
  dateText: string;
}

/** "24 июня", "24 июня 2027 г." when the year differs from the issue's. */
// Creating an Intl.DateTimeFormat costs far more than using one: keep one per language and shape.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDate(iso: string, language: string, opts: { withYear?: boolean } = {}): string {
  const [y, m, d] = iso.split("-").map(Number);
  const key = `${language}|${opts.withYear ? "y" : ""}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, {
      day: "numeric",
      month: "long",
      ...(opts.withYear ? { year: "numeric" } : {}),
      timeZone: "UTC",
    });
    formatters.set(key, format);
  }
  return format.format(new Date(Date.UTC(y, m - 1, d)));
}

const DAY = 86_400_000;

/**
 * Stage helper: which trainings the footer announces. The config's events dated after the issue and
 * within `eventsWindowDays` of it, by date; `events: false` hides them; a front-matter list replaces them.
 */
export function footerEvents(issue: Pick<Issue, "date" | "events">, config: NewsletterConfig): FooterEvent[] {
  if (issue.events === false) return [];
  const language = config.language;
  const issueYear = issue.date.slice(0, 4);
  const decorate = (e: NewsletterEvent): FooterEvent => ({
    ...e,
    dateText: formatDate(e.date, language, { withYear: e.date.slice(0, 4) !== issueYear }),
  });
  if (issue.events) return [...issue.events].sort((a, b) => a.date.localeCompare(b.date)).map(decorate);
  const start = Date.parse(issue.date);
  const end = start + config.eventsWindowDays * DAY;
  return config.events
    .filter((e) => {
      const t = Date.parse(e.date);
      return t > start && t <= end;
    })
    .sort((a, b) => a.date.localeCompare(b.date))
    .map(decorate);
}

/** "24 ноября 2026 г." — and never a crash on a language tag Intl does not know. */
export function issueDate(iso: string, language: string): string {
  try {
    return formatDate(iso, language, { withYear: true });
  } catch {
    return iso;
  }
}
