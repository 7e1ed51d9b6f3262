import type { Migration } from "../migrations.js";

/**
 * 11: topics (docs/audiences.md). Each subscriber's chosen topics, `topics` as JSON text (an array of
 * topic ids; NULL: never chosen, the reader gets newsletter.yaml's default topics), and the last change of
 * them: when (`topics_at`) and from where (`topics_source`: `form`, `preferences`, `one-click`, `import:…`).
 */
export default {
  version: 11,
  name: "topics",
  sqlite: `
ALTER TABLE subscribers ADD COLUMN topics TEXT;
ALTER TABLE subscribers ADD COLUMN topics_at TEXT;
ALTER TABLE subscribers ADD COLUMN topics_source TEXT;
`,
  postgres: `
ALTER TABLE subscribers ADD COLUMN topics text;
ALTER TABLE subscribers ADD COLUMN topics_at timestamptz;
ALTER TABLE subscribers ADD COLUMN topics_source text;
`,
} satisfies Migration;
