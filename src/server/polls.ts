import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NewsletterConfig } from "../config/schema.js";
import { issueTracking } from "../config/tracking.js";
import { langOf, translator } from "../i18n/index.js";
import { type PollClaim, verifyPollToken, voterKey } from "../identity/poll-token.js";
import { isClosed, pollClosesAt } from "../render/polls.js";
import { pageHref, pageText, safeUrl } from "../site/html.js";
import { languageTag, template } from "../site/templates.js";
import type { PollStore, StoredPoll } from "../state/polls.js";
import { ALL_METHODS, answer, SERVED_PAGE } from "./page-shell.js";
import type { PublishContext } from "./server.js";

/**
 * Votes (docs/polls.md). Each answer's button in an email leads to `/poll/<token>` (identity/poll-token.ts:
 * poll, answer, reader, signed). Mail scanners follow every link, so a GET only shows the question with that
 * answer chosen and one button; the button's POST records the vote — one per reader and poll, a second
 * changes it. A forged, truncated or foreign token is a 400 page that records nothing; a closed poll takes
 * no votes. The form has no action: it posts back to the address it came from, whatever path a proxy put
 * before it. `GET /polls.json` gives the live counts the web versions and the polls page draw
 * (assets/polls.js).
 */
export const VOTE_BODY_LIMIT = 1024;

interface VoteData {
  lang: string;
  title: string;
  paragraphs: string[];
  question: string;
  /** The form: the answers as choices, the one in the link checked. */
  form?: { button: string; answers: { n: number; text: string; checked: boolean }[] };
  /** The results so far. */
  results?: { heading: string; answers: { text: string; label: string; width: number }[]; voters: string };
  back?: { href: string; text: string };
}

const VOTE_PAGE = template<VoteData>(`{{#> ${SERVED_PAGE}}}
<p><strong>{{question}}</strong></p>
{{#if form}}
<form method="post" enctype="application/x-www-form-urlencoded">
<fieldset style="border:0;padding:0;margin:0 0 1rem"><legend style="position:absolute;left:-9999px">{{question}}</legend>
{{#each form.answers}}
<p style="margin:.25rem 0"><label><input type="radio" name="answer" value="{{n}}"{{#if checked}} checked{{/if}}> {{text}}</label></p>
{{/each}}
</fieldset>
<button type="submit">{{form.button}}</button>
</form>
{{/if}}
{{#if results}}
<h2 style="font-size:1.05rem">{{results.heading}}</h2>
<ol>
{{#each results.answers}}
<li>{{text}} — {{label}}<span style="display:block;height:8px;width:{{width}}%;background-color:#d9822b;border-radius:4px"></span></li>
{{/each}}
</ol>
<p><small>{{results.voters}}</small></p>
{{/if}}
{{/${SERVED_PAGE}}}`);

type Config = Pick<NewsletterConfig, "name" | "language" | "url" | "tracking">;

/** What /polls.json gives for each poll: `poll results --json`'s object, with the words to show. */
export interface LivePoll {
  poll: string;
  issue: string;
  question: string;
  answers: { text: string; votes: number; label: string }[];
  voters: number;
  votersLabel: string;
  closed: boolean;
}

export async function livePoll(store: PollStore, poll: StoredPoll, language: string): Promise<LivePoll> {
  const { t } = translator(langOf(language) ?? "en");
  const counts = await store.counts(poll, pollClosesAt(poll));
  return {
    poll: poll.poll,
    issue: poll.issue,
    question: poll.question,
    answers: poll.answers.map((text, i) => ({ text, votes: counts.votes[i], label: t("polls:votes", { count: counts.votes[i] }) })),
    voters: counts.voters,
    votersLabel: counts.voters ? t("polls:voters", { count: counts.voters }) : t("polls:noVotes"),
    closed: isClosed(poll),
  };
}

export async function pollRoutes(app: FastifyInstance, context: PublishContext): Promise<void> {
  const { options, listId } = context;
  const { config } = options;
  const store = options.state?.polls;
  const { t } = translator(langOf(config.language) ?? "en");
  const lang = languageTag(config.language);
  const title = t("polls:voteTitle", { name: pageText(config.name) });
  const archive = config.url ? safeUrl(config.url.replace(/\/?$/, "/")) : undefined;
  const page = (paragraphs: string[], extra: Partial<VoteData> = {}) => VOTE_PAGE({ lang, title, paragraphs, question: "", ...extra });
  const anonymous = issueTracking((config as Config).tracking, undefined).anonymous;

  const results = async (poll: StoredPoll): Promise<VoteData["results"]> => {
    const live = await livePoll(store!, poll, config.language);
    const top = Math.max(1, ...live.answers.map((a) => a.votes));
    return {
      heading: t("polls:results"),
      answers: live.answers.map((a) => ({ text: pageText(a.text), label: a.label, width: Math.round((a.votes / top) * 100) })),
      voters: live.votersLabel,
    };
  };
  const back = (poll: StoredPoll) =>
    archive ? { href: `${archive}${pageHref(poll.issue)}#poll-${poll.poll}`, text: t("polls:backToIssue") } : undefined;

  await app.register(formbody, { bodyLimit: VOTE_BODY_LIMIT });
  const handler = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD" && method !== "POST")
      return answer(reply, 405, page([t("polls:badLink")]), { allow: "GET, HEAD, POST" });
    if (!options.secret || !store) return answer(reply, 503, page([t("polls:unavailable")]), { "retry-after": "3600" });
    const claim: PollClaim | undefined = verifyPollToken(request.params.token, listId, options.secret);
    if (!claim) return answer(reply, 400, page([t("polls:badLink")]));
    const poll = await store.poll(claim.poll);
    if (!poll) return answer(reply, 404, page([t("polls:unknown")]));
    const question = pageText(poll.question);
    if (isClosed(poll))
      return answer(
        reply,
        method === "POST" ? 410 : 200,
        page([t("polls:closed")], { question, results: await results(poll), back: back(poll) }),
      );
    if (method === "POST") {
      const chosen = Number((request.body as Record<string, unknown> | undefined)?.answer);
      if (!Number.isInteger(chosen) || chosen < 1 || chosen > poll.answers.length) return answer(reply, 400, page([t("polls:badLink")]));
      let changed: boolean;
      try {
        changed = await store.vote(poll.poll, voterKey(claim, anonymous, options.secret), chosen);
      } catch (cause) {
        options.onError?.(cause);
        return answer(reply, 503, page([t("polls:unavailable")]), { "retry-after": "60" });
      }
      return answer(
        reply,
        200,
        page([t(changed ? "polls:changed" : "polls:voted")], { question, results: await results(poll), back: back(poll) }),
      );
    }
    // GET: look, never count. A scanner following the link changes nothing.
    const checked = Math.min(claim.answer, poll.answers.length);
    return answer(
      reply,
      200,
      page([t("polls:choose")], {
        question,
        form: {
          button: t("polls:button"),
          answers: poll.answers.map((text, i) => ({ n: i + 1, text: pageText(text), checked: i + 1 === checked })),
        },
        back: back(poll),
      }),
    );
  };
  for (const url of ["/poll/:token", "/poll/:token/"]) app.route({ method: ALL_METHODS, url, handler });

  app.get("/polls.json", async (request, reply) => {
    reply.headers({ "cache-control": "no-store", "x-content-type-options": "nosniff" });
    if (!store) return reply.code(503).send({ error: "unavailable" });
    const ids = new URLSearchParams(request.url.split("?")[1] ?? "").get("ids");
    const wanted = ids ? new Set(ids.split(",").slice(0, 100)) : undefined;
    const polls = (await store.polls()).filter((p) => !wanted || wanted.has(p.poll));
    return reply.send(await Promise.all(polls.map((p) => livePoll(store, p, config.language))));
  });
}
