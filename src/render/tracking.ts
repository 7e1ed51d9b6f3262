import type { Personaliser, RenderedBody, Subscriber } from "./personalise.js";

/**
 * Stage after personalise, when clicks or opens are tracked (docs/report.md): each link of the message becomes
 * `<url>/c/<token>`, a per-reader value spliced between the static pieces, so the message is
 * still encoded once per issue (src/message/prepared.ts) and only the values per reader. Which links are
 * rewritten is decided once per issue, on the static pieces: a link whose address holds a subscriber
 * field (a per-reader value), the unsubscribe link (a per-reader value too), `mailto:`/`tel:`/`#…`, links
 * marked `data-no-track`, and the skipped prefixes (the unsubscribe page) stay as they are. Every message
 * also gets an invisible canary link (link 0): a person never follows it, a scanner does. With opens
 * tracked, a 1×1 image per reader (`<url>/o/<token>.gif`) stands before `</body>`.
 */
export interface TrackingOptions {
  /** The tracked address of link `n` (1-based; 0 the canary) for a reader; without it links stay as they are. */
  url?(link: number, subscriber: Subscriber): string;
  /** The open pixel's address for a reader; without it no pixel. */
  pixel?(subscriber: Subscriber): string;
  /** Addresses starting with one of these are never rewritten (the unsubscribe page, the tracker itself). */
  skipPrefixes: readonly string[];
}

/** The pixel's place in the plan's link numbers (never a link's). */
const PIXEL = -1;

/** A found link in a static piece: the characters [start, end) are its address. */
export interface Spot {
  start: number;
  end: number;
  /** The link's number, or PIXEL. */
  link: number;
  /** Static text around the address (the canary's tag). */
  open?: string;
  close?: string;
}

export interface Plan {
  statics: string[];
  /** For each original static piece, the link numbers now standing in it, in order. */
  links: number[][];
}

const ANCHOR = /<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>/gi;
const TEXT_URL = /https?:\/\/[^\s\]<>"')]+/g;

const ENTITIES: Record<string, string> = { amp: "&", quot: '"', "#39": "'", apos: "'", lt: "<", gt: ">" };
function decodeHref(s: string): string {
  return s.replace(/&(amp|quot|#39|apos|lt|gt);/g, (_, e: string) => ENTITIES[e]);
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
}

const CANARY_STYLE = "display:none;font-size:0;line-height:0;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all";
const PIXEL_OPEN = '<img src="';
const PIXEL_CLOSE = '" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;overflow:hidden" aria-hidden="true">';

/** Static pieces cut at each spot: the address becomes a per-reader value between two pieces. */
export function split(statics: readonly string[], spotsOf: (s: string, i: number) => Spot[]): Plan {
  const out: string[] = [];
  const links: number[][] = [];
  let pending = "";
  statics.forEach((s, i) => {
    const nums: number[] = [];
    let at = 0;
    for (const spot of spotsOf(s, i)) {
      out.push(pending + s.slice(at, spot.start) + (spot.open ?? ""));
      pending = spot.close ?? "";
      nums.push(spot.link);
      at = spot.end;
    }
    pending += s.slice(at);
    if (i < statics.length - 1) {
      out.push(pending);
      pending = "";
    }
    links.push(nums);
  });
  out.push(pending);
  return { statics: out, links };
}

export class LinkTracker {
  /** The tracked links, link n at index n - 1 (what `serve` may redirect to). */
  readonly links: string[] = [];
  private readonly numbers = new Map<string, number>();
  private html?: { from: readonly string[]; plan: Plan };
  private text?: { from: readonly string[]; plan: Plan };

  constructor(private readonly options: TrackingOptions) {}

  private trackable(url: string): boolean {
    if (!/^https?:\/\//i.test(url)) return false;
    return !this.options.skipPrefixes.some((p) => url.startsWith(p));
  }

  private number(url: string, reuse: boolean): number {
    const known = reuse ? this.numbers.get(url) : undefined;
    if (known !== undefined) return known;
    this.links.push(url);
    const n = this.links.length;
    if (!this.numbers.has(url)) this.numbers.set(url, n);
    return n;
  }

  private htmlSpots(s: string, first: boolean): { spots: Spot[]; canaryAt?: number } {
    const spots: Spot[] = [];
    for (const m of s.matchAll(ANCHOR)) {
      const raw = m[1] ?? m[2] ?? "";
      if (/\sdata-no-track\b/i.test(m[0])) continue;
      const url = decodeHref(raw.trim());
      if (!this.trackable(url)) continue;
      const start = (m.index ?? 0) + m[0].indexOf(raw);
      spots.push({ start, end: start + raw.length, link: this.number(url, false) });
    }
    const body = first ? /<body[^>]*>/i.exec(s) : null;
    return { spots, canaryAt: body ? body.index + body[0].length : undefined };
  }

  /** `knownOnly`: a whole text with the reader's values in it: only the addresses the issue already has. */
  private textSpots(s: string, knownOnly: boolean): Spot[] {
    const spots: Spot[] = [];
    for (const m of s.matchAll(TEXT_URL)) {
      const url = m[0].replace(/[.,;:!?]+$/, "");
      if (!this.trackable(url) || (knownOnly && !this.numbers.has(url))) continue;
      // the text part's link is the HTML's link of the same address when there is one
      spots.push({ start: m.index ?? 0, end: (m.index ?? 0) + url.length, link: this.number(url, true) });
    }
    return spots;
  }

  private planHtml(statics: readonly string[]): Plan {
    // the pixel goes before the last </body> of the message
    let last = statics.length - 1;
    while (last > 0 && !/<\/body>/i.test(statics[last])) last--;
    return split(statics, (s, i) => {
      const found: Spot[] = [];
      if (this.options.url) {
        const { spots, canaryAt } = this.htmlSpots(s, i === 0);
        found.push(...spots);
        if (canaryAt !== undefined)
          found.push({
            start: canaryAt,
            end: canaryAt,
            link: 0,
            open: '<a href="',
            close: `" style="${CANARY_STYLE}" aria-hidden="true" tabindex="-1"></a>`,
          });
      }
      const at = this.options.pixel && i === last ? s.toLowerCase().lastIndexOf("</body>") : -1;
      // a message without </body> (never MJML's) gets no pixel
      if (at >= 0) found.push({ start: at, end: at, link: PIXEL, open: PIXEL_OPEN, close: PIXEL_CLOSE });
      return found.sort((a, b) => a.start - b.start);
    });
  }

  private planText(statics: readonly string[], knownOnly: boolean): Plan {
    return split(statics, (s) => (this.options.url ? this.textSpots(s, knownOnly) : []));
  }

  /** This reader's values between the plan's statics: the links' addresses, then the original value. */
  private values(plan: Plan, values: readonly string[], subscriber: Subscriber, inAttribute: boolean): string[] {
    const out: string[] = [];
    const cache = new Map<number, string>();
    for (let i = 0; i < plan.links.length; i++) {
      for (const n of plan.links[i]) {
        let u = cache.get(n);
        if (u === undefined) {
          u = n === PIXEL ? (this.options.pixel?.(subscriber) ?? "") : (this.options.url?.(n, subscriber) ?? "");
          if (inAttribute) u = escapeAttr(u);
          cache.set(n, u);
        }
        out.push(u);
      }
      if (i < values.length) out.push(values[i]);
    }
    return out;
  }

  /** A rendered body with its links tracked for this reader. */
  track(body: RenderedBody, subscriber: Subscriber): RenderedBody {
    if (this.html?.from !== body.htmlParts.statics)
      this.html = { from: body.htmlParts.statics, plan: this.planHtml(body.htmlParts.statics) };
    const htmlValues = this.values(this.html.plan, body.htmlParts.values, subscriber, true);
    const htmlStatics = this.html.plan.statics;
    let html = htmlStatics[0];
    for (let i = 0; i < htmlValues.length; i++) html += htmlValues[i] + htmlStatics[i + 1];

    const textStatics = body.textParts?.statics ?? [body.text];
    if (this.text?.from !== textStatics) {
      // a tidied text comes whole, per reader: planned per reader, its links already numbered by the first
      this.text = { from: textStatics, plan: this.planText(textStatics, !body.textParts) };
    }
    const textValues = this.values(this.text.plan, body.textParts?.values ?? [], subscriber, false);
    const ts = this.text.plan.statics;
    let text = ts[0];
    for (let i = 0; i < textValues.length; i++) text += textValues[i] + ts[i + 1];
    return {
      html,
      text,
      htmlParts: { statics: htmlStatics, values: htmlValues },
      textParts: body.textParts ? { statics: ts, values: textValues } : undefined,
    };
  }
}

/** The personaliser with its links tracked; `tracker.links` is the link list once a message was rendered. */
export function trackingPersonaliser(inner: Personaliser, tracker: LinkTracker): Personaliser {
  return { render: (subscriber) => tracker.track(inner.render(subscriber), subscriber) };
}
