import { loadAudience } from "../audience/file.js";
import { readerTopics, type Selection, selectionFingerprint, selects } from "../audience/filter.js";
import type { NewsletterConfig } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import type { ScheduleAudience } from "../issue/schema.js";
import type { StateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import type { SubscriberStore } from "../state/subscribers.js";
import type { AudienceRow, AudienceSource } from "./audience.js";

/**
 * `send --subscribers`: the confirmed, not suppressed readers of the subscriber list rassylka keeps
 * (src/state/subscribers.ts), as the same rows a `--to` CSV gives — so the ledger, the transports and
 * the exit codes are those of any send. Read in pages by key: the list is never in memory at once.
 * `open` gives the store and a way to close it; it is called when the rows are read.
 *
 * With a `selection` (docs/audiences.md) only the readers it selects: the issue's `topic:` among their
 * topics (`defaults` for a reader who never chose), and an audience file's filter. The rows go into the
 * ledger when the send starts, so the audience is frozen there: a reader who chooses the topic later is
 * not added to a send under way, and one who leaves is skipped at claim time, as every suppression is.
 */
export function subscriberAudience(
  open: () => Promise<{ subscribers: SubscriberStore; close(): Promise<void> }>,
  options: { label?: string; pageSize?: number; selection?: Selection; defaults?: readonly string[] } = {},
): AudienceSource {
  const pageSize = options.pageSize ?? 1000;
  const label = options.label ?? "--subscribers";
  const selection = options.selection ?? {};
  const defaults = options.defaults ?? [];
  const everyone = !selection.topic && !selection.audience;
  return {
    label,
    // the subscriber list of this store (and the selection): every worker reading it sends to the same list
    identity: async () => ({ fingerprint: selectionFingerprint(selection), label }),
    async *rows(): AsyncIterable<AudienceRow> {
      const store = await open();
      try {
        let after = "";
        let line = 0;
        for (;;) {
          const page = await store.subscribers.confirmedPage(after, pageSize);
          for (const s of page) {
            line++;
            if (everyone || selects(selection, { topics: readerTopics(s.topics, defaults), fields: s.fields }))
              yield { line, address: s.address, fields: s.fields };
          }
          if (page.length < pageSize) return;
          after = page[page.length - 1].email;
        }
      } finally {
        await store.close();
      }
    },
  };
}

/** The topics a reader who never chose gets. */
export function defaultTopics(config: Pick<NewsletterConfig, "topics">): string[] {
  return (config.topics ?? []).filter((x) => x.default).map((x) => x.id);
}

/**
 * `send --subscribers`: the subscriber list of the store at `location`, opened when the rows are read;
 * narrowed, once the issue is compiled, to its `topic:` and to the audience file named by `--audience`
 * (`audienceName`) or else by the front-matter's `audience:` (read from `root`'s `audiences/`).
 */
export function subscribersAt(location: StateLocation, options: { root?: string; audienceName?: string } = {}): AudienceSource {
  const open = () => openStore(location);
  return {
    ...subscriberAudience(open),
    async forIssue(issue, config) {
      const fromFile = typeof issue.audience === "string" && issue.audience !== "subscribers" ? issue.audience : undefined;
      const name = options.audienceName ?? fromFile;
      let audience: Selection["audience"];
      if (name) {
        const loaded = await loadAudience(
          options.root ?? ".",
          name,
          (config.topics ?? []).map((x) => x.id),
        );
        if (!loaded.filter) throw new RassylkaError(loaded.diagnostics);
        audience = loaded.filter;
      }
      const selection: Selection = { ...(issue.topic ? { topic: issue.topic } : {}), ...(audience ? { audience } : {}) };
      const label = ["--subscribers", ...(name ? [`--audience ${name}`] : []), ...(issue.topic ? [`(topic ${issue.topic})`] : [])].join(
        " ",
      );
      return subscriberAudience(open, { selection, defaults: defaultTopics(config), label });
    },
  };
}

/** What a source may narrow itself by, once the issue is compiled. */
export interface IssueAudience {
  topic?: string;
  audience?: ScheduleAudience;
}
