import type { StateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import type { SubscriberStore } from "../state/subscribers.js";
import type { AudienceRow, AudienceSource } from "./audience.js";

/**
 * `send --subscribers`: the confirmed, not suppressed readers of the subscriber list rassylka keeps
 * (src/state/subscribers.ts), as the same rows a `--to` CSV gives — so the ledger, the transports and
 * the exit codes are those of any send. Read in pages by key: the list is never in memory at once.
 * `open` gives the store and a way to close it; it is called when the rows are read.
 */
export function subscriberAudience(
  open: () => Promise<{ subscribers: SubscriberStore; close(): Promise<void> }>,
  options: { label?: string; pageSize?: number } = {},
): AudienceSource {
  const pageSize = options.pageSize ?? 1000;
  return {
    label: options.label ?? "--subscribers",
    // the subscriber list of this store: every worker reading it sends to the same list
    identity: async () => ({ fingerprint: "subscribers", label: options.label ?? "--subscribers" }),
    async *rows(): AsyncIterable<AudienceRow> {
      const store = await open();
      try {
        let after = "";
        let line = 0;
        for (;;) {
          const page = await store.subscribers.confirmedPage(after, pageSize);
          for (const s of page) yield { line: ++line, address: s.address, fields: s.fields };
          if (page.length < pageSize) return;
          after = page[page.length - 1].email;
        }
      } finally {
        await store.close();
      }
    },
  };
}

/** `send --subscribers`: the subscriber list of the store at `location`, opened when the rows are read. */
export function subscribersAt(location: StateLocation): AudienceSource {
  return subscriberAudience(() => openStore(location));
}
