import matter from "gray-matter";
import type { IssueTracking, NewsletterConfig, NewsletterEvent } from "../config/schema.js";
import { zodDiagnostics, zodErrorMap } from "../config/zod.js";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { parseYaml } from "../util/yaml.js";
import { type AbTest, frontMatterSchema, percent, type ScheduleAudience, slugPattern, waitMinutes } from "./schema.js";
import { slugFromFile } from "./slug.js";

export interface Issue {
  /** Path relative to the newsletter root (POSIX separators), used in every message. */
  file: string;
  absPath: string;
  /** The file's full text (lint reads its lines). */
  text: string;
  slug: string;
  title: string;
  /** The subject; with an A/B test, the first of `subjects`. */
  subject: string;
  /** An A/B test's subjects, in the front-matter's order (2–4); undefined for one subject. */
  subjects?: string[];
  /** An A/B test of `subjects` (front-matter `abTest`, defaults filled in). */
  abTest?: AbTest;
  preheader: string;
  date: string;
  author?: string;
  template: string;
  /** `false` hides the events footer; a list replaces the config's events. */
  events?: false | NewsletterEvent[];
  draft: boolean;
  tags: string[];
  /** The front-matter's `tracking:` (false, or keys that override newsletter.yaml's); see issueTracking(). */
  tracking?: IssueTracking;
  /** Front-matter `sendAt` as written (docs/schedule.md). */
  sendAt?: string;
  audience?: ScheduleAudience;
  /** Front-matter `topic` (docs/audiences.md). */
  topic?: string;
  /** Markdown after the front-matter. */
  body: string;
  /** How many lines of the file stand before the body: body line N is file line N + bodyOffset. */
  bodyOffset: number;
}

/** Pure: a file's text → Issue, or diagnostics naming file, line and field. */
export function parseIssue(
  text: string,
  file: string,
  config: Pick<NewsletterConfig, "author"> & Partial<Pick<NewsletterConfig, "topics">>,
): { issue?: Issue; diagnostics: Diagnostic[] } {
  const fail = (d: Omit<Diagnostic, "severity" | "file">) => ({ diagnostics: [{ severity: "error" as const, file, ...d }] });
  if (text.trim() === "") {
    return fail({
      ruleId: "issue/empty",
      message: t("build:emptyFile"),
      line: 1,
      fix: t("build:emptyFile.fix"),
    });
  }
  const src = text.replace(/^\uFEFF/, "");
  if (!/^---[ \t]*\r?\n/.test(src)) {
    return fail({
      ruleId: "issue/no-frontmatter",
      message: t("build:noFrontMatter"),
      line: 1,
      fix: t("build:noFrontMatter.fix"),
    });
  }
  // gray-matter splits the file; we parse the YAML ourselves to keep line numbers.
  const split = matter(src, { engines: { yaml: () => ({}) } } as unknown as Parameters<typeof matter>[1]);
  if (!/\r?\n---[ \t]*(\r?\n|$)/.test(src.slice(3))) {
    return fail({
      ruleId: "issue/unclosed-frontmatter",
      message: t("build:unclosedFrontMatter"),
      line: 1,
      fix: t("build:unclosedFrontMatter.fix"),
    });
  }
  // gray-matter's `matter` starts right after the opening `---` (its line break included), so its line 1
  // is the file's line 1: no offset.
  const parsed = parseYaml(split.matter, file, 0);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  const data = parsed.data ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    return fail({
      ruleId: "frontmatter/not-a-mapping",
      message: t("build:badFrontMatter"),
      line: 2,
      fix: t("build:badFrontMatter.fix"),
    });
  }
  const result = frontMatterSchema.safeParse(data, { error: zodErrorMap() });
  if (!result.success) {
    return {
      diagnostics: zodDiagnostics(result.error, { schema: frontMatterSchema, parsed, file, ruleId: "frontmatter", data }),
    };
  }
  const fm = result.data;
  const subjects = Array.isArray(fm.subject) ? fm.subject : undefined;
  if (fm.abTest && !subjects)
    return fail({
      ruleId: "frontmatter",
      message: t("ab:schema.oneSubject"),
      line: keyLine(src, "abTest"),
      field: "abTest",
      fix: t("ab:schema.oneSubject.fix"),
    });
  const abTest: AbTest | undefined = subjects && {
    sample: percent(fm.abTest?.sample ?? "10%") ?? 0.1,
    waitMinutes: waitMinutes(fm.abTest?.wait ?? "4h") ?? 240,
    metric: fm.abTest?.metric ?? "clicks",
  };
  if (subjects && abTest && subjects.length * abTest.sample >= 1)
    return fail({
      ruleId: "frontmatter",
      message: t("ab:schema.noneLeft", { count: subjects.length, sample: Math.round(abTest.sample * 100) }),
      line: keyLine(src, "abTest"),
      field: "abTest.sample",
      fix: t("ab:schema.noneLeft.fix", { max: Math.floor(99 / subjects.length) }),
    });
  const slug = fm.slug ?? slugFromFile(file);
  if (!slugPattern.test(slug)) {
    return fail({
      ruleId: "issue/bad-slug",
      message: t("build:badSlug", { slug }),
      line: 1,
      field: "slug",
      fix: t("build:badSlug.fix"),
    });
  }
  const known = (config.topics ?? []).map((x) => x.id);
  if (fm.topic && !known.includes(fm.topic)) {
    return fail({
      ruleId: "frontmatter/unknown-topic",
      message: t("topics:unknownTopic", { topic: fm.topic }),
      line: parsed.locate(["topic"]).line,
      field: "topic",
      fix: known.length ? t("topics:unknownTopic.fix", { known: known.join(", ") }) : t("topics:noTopics.fix"),
    });
  }
  const bodyOffset = src.slice(0, src.length - split.content.length).split("\n").length - 1;
  return {
    issue: {
      file,
      absPath: file,
      text,
      slug,
      title: fm.title,
      subject: subjects?.[0] ?? (fm.subject as string | undefined) ?? fm.title,
      subjects,
      abTest,
      preheader: fm.preheader ?? "",
      date: fm.date,
      author: fm.author ?? config.author,
      template: fm.template,
      events: fm.events,
      draft: fm.draft,
      tags: fm.tags,
      tracking: fm.tracking,
      sendAt: fm.sendAt,
      audience: fm.audience,
      ...(fm.topic ? { topic: fm.topic } : {}),
      body: split.content,
      bodyOffset,
    },
    diagnostics: [],
  };
}

/** The file line where a top-level front-matter key is written (1 when it cannot be found). */
export function keyLine(text: string, key: string): number {
  const i = text.split(/\r?\n/).findIndex((l) => l.startsWith(`${key}:`));
  return i < 0 ? 1 : i + 1;
}
