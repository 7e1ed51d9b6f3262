import type { Personaliser, RenderedBody, Subscriber } from "./personalise.js";
import { answerHref, type Poll } from "./polls.js";
import { type Plan, type Spot, split } from "./tracking.js";

/**
 * Stage after personalise, when the issue has polls (docs/polls.md): each answer's button, which the
 * compiled issue points at the web version's poll (`<web>#poll-<id>-<n>`), becomes the reader's own signed
 * vote link — in the HTML and in the text part. Like click tracking (render/tracking.ts) the link is a
 * per-reader value between the static pieces, so the message is still encoded once per issue.
 * It runs before click tracking, which then leaves the vote links alone (they are values, not statics).
 */
export interface PollLinkOptions {
  /** The web version's address (`<url>/<slug>.html`), as the compile wrote the answers' links. */
  webUrl: string;
  /** This reader's vote link for answer `answer` (1-based) of poll `poll`. */
  url(poll: string, answer: number, subscriber: Subscriber): string;
}

export class PollLinks {
  private readonly answers: { href: string; pattern: RegExp; poll: string; answer: number }[];
  private html?: { from: readonly string[]; plan: Plan };
  private text?: { from: readonly string[]; plan: Plan };

  constructor(
    polls: readonly Poll[],
    private readonly options: PollLinkOptions,
  ) {
    this.answers = polls.flatMap((p) =>
      p.answers.map((_, i) => {
        const href = answerHref(options.webUrl, p.id, i + 1);
        // `#poll-x-1` is not the start of `#poll-x-10`
        return { href, pattern: new RegExp(`${href.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![0-9])`, "g"), poll: p.id, answer: i + 1 };
      }),
    );
  }

  private spots(s: string): Spot[] {
    const spots: Spot[] = [];
    for (const [link, a] of this.answers.entries()) {
      for (const m of s.matchAll(a.pattern)) spots.push({ start: m.index ?? 0, end: (m.index ?? 0) + a.href.length, link });
    }
    return spots.sort((x, y) => x.start - y.start);
  }

  private values(plan: Plan, values: readonly string[], subscriber: Subscriber): string[] {
    const out: string[] = [];
    for (let i = 0; i < plan.links.length; i++) {
      for (const n of plan.links[i]) out.push(this.urlOf(n, subscriber));
      if (i < values.length) out.push(values[i]);
    }
    return out;
  }

  private urlOf(n: number, subscriber: Subscriber): string {
    const a = this.answers[n];
    return this.options.url(a.poll, a.answer, subscriber);
  }

  /** A rendered body with each answer's link made this reader's. */
  link(body: RenderedBody, subscriber: Subscriber): RenderedBody {
    if (this.html?.from !== body.htmlParts.statics)
      this.html = { from: body.htmlParts.statics, plan: split(body.htmlParts.statics, (s) => this.spots(s)) };
    const htmlValues = this.values(this.html.plan, body.htmlParts.values, subscriber);
    const hs = this.html.plan.statics;
    let html = hs[0];
    for (let i = 0; i < htmlValues.length; i++) html += htmlValues[i] + hs[i + 1];

    let text: string;
    let textParts: RenderedBody["textParts"];
    if (body.textParts) {
      if (this.text?.from !== body.textParts.statics)
        this.text = { from: body.textParts.statics, plan: split(body.textParts.statics, (s) => this.spots(s)) };
      const values = this.values(this.text.plan, body.textParts.values, subscriber);
      const ts = this.text.plan.statics;
      text = ts[0];
      for (let i = 0; i < values.length; i++) text += values[i] + ts[i + 1];
      textParts = { statics: ts, values };
    } else {
      // a tidied text comes whole, per reader
      text = body.text;
      for (const [n, a] of this.answers.entries()) text = text.replace(a.pattern, () => this.urlOf(n, subscriber));
    }
    return { html, text, htmlParts: { statics: hs, values: htmlValues }, textParts };
  }
}

export function pollPersonaliser(inner: Personaliser, links: PollLinks): Personaliser {
  return { render: (subscriber) => links.link(inner.render(subscriber), subscriber) };
}
