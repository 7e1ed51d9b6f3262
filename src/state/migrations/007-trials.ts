import type { Migration } from "../migrations.js";

/**
 * 7: trials apart from deliveries. A send to the outbox delivers to nobody, so it is kept in a ledger of
 * its own (`trial:<slug>`, src/state/ledger.ts `trialKey`) and never makes a real send skip a reader.
 * Each run and each worker now records its transport (`smtp://host:587`, `outbox/<slug>/`, Sendsay), so
 * `rassylka status` can name it. Readers an outbox send recorded as sent in the real ledger before this
 * (the outbox's reply is `written <file>`) never received anything: they go back to pending, so the
 * next real send reaches them and nothing needs deleting.
 */
const RESET_OUTBOX_ROWS = `
UPDATE send_ledger SET state = 'pending', attempts = 0, in_doubt = 0, resent = 0, next_at = 0, deferred_since = NULL, sent_at = NULL
  WHERE state = 'sent' AND last_response LIKE 'written %' AND issue NOT LIKE '%:%';
`;

export default {
  version: 7,
  name: "trials",
  sqlite: `
ALTER TABLE send_runs ADD COLUMN transport TEXT;
ALTER TABLE send_workers ADD COLUMN transport TEXT;
${RESET_OUTBOX_ROWS}`,
  postgres: `
ALTER TABLE send_runs ADD COLUMN transport text;
ALTER TABLE send_workers ADD COLUMN transport text;
${RESET_OUTBOX_ROWS}`,
} satisfies Migration;
