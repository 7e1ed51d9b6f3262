import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, RassylkaError, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { keyLine } from "../issue/load.js";
import type { ScheduleAudience } from "../issue/schema.js";

/**
 * Which Sendsay list a campaign of an issue goes to (docs/audiences.md, "Sendsay"). An issue without
 * `topic:` goes to the list it was given (`--group`, or its front-matter `audience: {sendsay: <id>}` for
 * `schedule push`). An issue with `topic: X` must not reach readers who did not choose X, so:
 *
 *   1. the issue names its own list (`audience: {sendsay: <id>}`): that list — written for this issue,
 *      reviewed beside its topic, more specific than the newsletter-wide mapping (lint warns when it is not
 *      the topic's mapped list);
 *   2. else `sendsay.topics.X` in newsletter.yaml: the topic's list, instead of the `--group` given (the
 *      command line is the same for every issue: it names the newsletter's whole list);
 *   3. else refused before anything is submitted.
 */
export interface CampaignTarget {
  groupId: string;
  /** The issue's topic, when it decided the list. */
  topic?: string;
  /** `given`: the list asked for; `topic`: sendsay.topics; `issue`: the front-matter's own list. */
  via: "given" | "topic" | "issue";
}

export interface TopicIssue {
  source: string;
  topic?: string;
  audience?: ScheduleAudience;
}

/** The issue's own Sendsay list (front-matter `audience: {sendsay: <id>}`), if it names one. */
function issueList(issue: TopicIssue): string | undefined {
  return typeof issue.audience === "object" && issue.audience ? issue.audience.sendsay : undefined;
}

/** The list a campaign of `issue` goes to; throws (file, line, field, fix) for a topic without a list. */
export function campaignTarget(
  issue: TopicIssue,
  config: Pick<NewsletterConfig, "sendsay">,
  given: string,
  /** The issue file's text, for the line of `topic:`. */
  text?: string,
): CampaignTarget {
  if (!issue.topic) return { groupId: given, via: "given" };
  const own = issueList(issue);
  if (own) return { groupId: own, topic: issue.topic, via: "issue" };
  const mapped = config.sendsay?.topics?.[issue.topic];
  if (mapped) return { groupId: mapped, topic: issue.topic, via: "topic" };
  throw new RassylkaError(unmappedTopic(issue.topic, issue.source, text ? keyLine(text, "topic") : undefined));
}

/** The refusal of a campaign whose topic has no Sendsay list (also what `lint/sendsay-topic` reports). */
export function unmappedTopic(topic: string, file: string, line?: number): Diagnostic {
  return error("sendsay/unmapped-topic", t("sendsay:topic.unmapped", { topic }), {
    file,
    ...(line ? { line } : {}),
    field: "topic",
    fix: t("sendsay:topic.unmapped.fix", { topic }),
  });
}

/**
 * What lint says of an issue's topic when the newsletter sends topics through Sendsay (`sendsay.topics`
 * is set): a topic without a list (a campaign would be refused), or an issue whose own list is not its
 * topic's (it goes to its own, which may be meant: a segment of the topic's readers).
 */
export function topicListFindings(issue: TopicIssue, config: Pick<NewsletterConfig, "sendsay">): Diagnostic[] {
  const topics = config.sendsay?.topics;
  if (!topics || !issue.topic) return [];
  const own = issueList(issue);
  const mapped = topics[issue.topic];
  if (!own && !mapped) return [{ ...unmappedTopic(issue.topic, issue.source), severity: "warning" }];
  if (own && mapped && own !== mapped)
    return [
      warning("sendsay/topic-list", t("sendsay:topic.otherList", { topic: issue.topic, group: own, mapped }), {
        file: issue.source,
        field: "audience",
        fix: t("sendsay:topic.otherList.fix", { topic: issue.topic, group: own, mapped }),
      }),
    ];
  return [];
}
