import { BlockList, isIP } from "node:net";
import { isbot } from "isbot";
import { CANARY_LINK } from "../identity/click-token.js";
import type { ClickClass, EventKind } from "../state/clicks.js";
import RULES from "./rules.json" with { type: "json" };

/**
 * What made a click or an open (docs/report.md, "How events are classified"): a person (`human`), an
 * image proxy fetching on delivery (`proxy`) or a scanner (`automated`). The rules are data
 * (src/tracking/rules.json); the first that matches decides, and its name is kept with the event:
 * `canary`, `method:HEAD`, `ua:empty`, `proxy:<name>:ua`, `proxy:<name>:address`, `ua:scanner`, `ua:isbot`, `burst`,
 * else `human`.
 */
export interface Rules {
  canary: ClickClass;
  methods: Record<string, ClickClass>;
  emptyUserAgent: ClickClass;
  proxies: { name: string; what?: string; userAgents: string[]; ranges: string[] }[];
  scanners: { what?: string; userAgents: string[]; class: ClickClass };
  isbot: ClickClass;
  burst: { links: number; withinSeconds: number; afterDeliverySeconds: number };
}

export const DEFAULT_RULES = RULES as Rules;

export interface Hit {
  kind: EventKind;
  link: number;
  method: string;
  userAgent?: string;
  /** The client's address (src/server/track.ts: behind a local reverse proxy, the one it names). */
  address?: string;
}

export interface Verdict {
  uaClass: ClickClass;
  rule: string;
}

interface Proxy {
  name: string;
  agents: RegExp[];
  ranges: BlockList;
}

/** `::ffff:1.2.3.4` is 1.2.3.4. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class Classifier {
  private readonly proxies: Proxy[];
  private readonly scanners: RegExp[];

  constructor(readonly rules: Rules = DEFAULT_RULES) {
    this.proxies = rules.proxies.map((p) => {
      const ranges = new BlockList();
      for (const range of p.ranges) {
        const [net, bits] = range.split("/");
        ranges.addSubnet(net, Number(bits), isIP(net) === 6 ? "ipv6" : "ipv4");
      }
      return { name: p.name, agents: p.userAgents.map((a) => new RegExp(a, "i")), ranges };
    });
    this.scanners = rules.scanners.userAgents.map((a) => new RegExp(a, "i"));
  }

  /** The class of one hit by what it says of itself; the burst rule (below) is the caller's, over time. */
  classify(hit: Hit): Verdict {
    const r = this.rules;
    if (hit.kind === "click" && hit.link === CANARY_LINK) return { uaClass: r.canary, rule: "canary" };
    const method = r.methods[hit.method.toUpperCase()];
    if (method) return { uaClass: method, rule: `method:${hit.method.toUpperCase()}` };
    const ua = (hit.userAgent ?? "").trim();
    if (!ua) return { uaClass: r.emptyUserAgent, rule: "ua:empty" };
    for (const p of this.proxies) if (p.agents.some((a) => a.test(ua))) return { uaClass: "proxy", rule: `proxy:${p.name}:ua` };
    const address = hit.address ? plainAddress(hit.address) : undefined;
    const family = address ? isIP(address) : 0;
    if (address && family)
      for (const p of this.proxies)
        if (p.ranges.check(address, family === 6 ? "ipv6" : "ipv4")) return { uaClass: "proxy", rule: `proxy:${p.name}:address` };
    if (this.scanners.some((a) => a.test(ua))) return { uaClass: r.scanners.class, rule: "ua:scanner" };
    if (isbot(ua)) return { uaClass: r.isbot, rule: "ua:isbot" };
    return { uaClass: "human", rule: "human" };
  }
}

interface Seen {
  link: number;
  at: number;
  eventId: string;
  automated: boolean;
}

/**
 * The burst rule: `links` different links of one message followed within `withinSeconds` of one
 * another, all within `afterDeliverySeconds` of the message's delivery (the time its token carries),
 * are a scanner's — the last one and the ones before it in the burst. Kept in memory per message and
 * only for that first stretch after delivery, so it stays small; one `serve` process sees its own hits.
 */
export class BurstWatch {
  private readonly messages = new Map<string, { until: number; seen: Seen[] }>();
  private sweptAt = 0;

  constructor(private readonly rule: Rules["burst"] = DEFAULT_RULES.burst) {}

  /**
   * A click at `atMs` on `link` of the message `key` delivered at `sentMs`: whether the burst rule
   * holds for it, and the earlier events of the burst that were called human (to be called automated).
   */
  see(key: string, sentMs: number, link: number, atMs: number, eventId: string, human = true): { burst: boolean; earlier: string[] } {
    this.sweep(atMs);
    const until = sentMs + this.rule.afterDeliverySeconds * 1000;
    if (atMs > until || atMs < sentMs - 60_000) return { burst: false, earlier: [] };
    let m = this.messages.get(key);
    if (!m) {
      m = { until, seen: [] };
      this.messages.set(key, m);
    }
    const since = atMs - this.rule.withinSeconds * 1000;
    m.seen = m.seen.filter((s) => s.at >= since);
    const links = new Set(m.seen.map((s) => s.link)).add(link);
    const burst = links.size >= this.rule.links;
    const earlier = burst ? m.seen.filter((s) => !s.automated).map((s) => s.eventId) : [];
    if (burst) for (const s of m.seen) s.automated = true;
    m.seen.push({ link, at: atMs, eventId, automated: burst || !human });
    return { burst, earlier };
  }

  /** Forgets messages past their first stretch (at most once a second). */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, m] of this.messages) if (m.until < now) this.messages.delete(key);
  }

  get size(): number {
    return this.messages.size;
  }
}
