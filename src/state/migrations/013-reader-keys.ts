import type { Migration } from "../migrations.js";

/**
 * 13: each ledger row's reader key (`reader_key`: src/identity/click-token.ts readerKey of the address
 * under the newsletter, the key click and open events carry), written when the send fills the ledger, so
 * `rassylka report` counts the clicked readers per domain by a join inside the database instead of hashing
 * every reader (docs/performance.md). Rows written before it keep NULL: the report hashes those only. The
 * index finds an issue's readers by key with the address beside it (the domain without reading the row),
 * and the rows without a key. Two indexes of click events serve the report's other aggregations, each read
 * in its own order so that no query sorts a million clicks: `click_events_links` (readers per link) and
 * `click_events_time` (clicks per hour, counted as index ranges).
 */
export default {
  version: 13,
  name: "reader-keys",
  sqlite: `
ALTER TABLE send_ledger ADD COLUMN reader_key TEXT;
CREATE INDEX IF NOT EXISTS send_ledger_reader_key ON send_ledger (issue, reader_key, email);
CREATE INDEX IF NOT EXISTS click_events_links ON click_events (issue, trial, ua_class, link, reader);
CREATE INDEX IF NOT EXISTS click_events_time ON click_events (issue, trial, ua_class, at);
`,
  postgres: `
ALTER TABLE send_ledger ADD COLUMN reader_key text;
CREATE INDEX send_ledger_reader_key ON send_ledger (issue, reader_key, email);
CREATE INDEX click_events_links ON click_events (issue, trial, ua_class, link, reader);
CREATE INDEX click_events_time ON click_events (issue, trial, ua_class, at);
`,
} satisfies Migration;
