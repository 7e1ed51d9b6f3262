import { describe, expect, test } from "vitest";
import { renderPage } from "../../src/review/page.js";
import type { IssueReview, ReviewResult, ReviewSide } from "../../src/review/review.js";
import { MAX_ROWS, renderSummary } from "../../src/review/summary.js";

// The page and the summary from a review's data (what review() returns), without git or a browser.
const side = (over: Partial<ReviewSide> = {}): ReviewSide => ({
  subject: "Subject",
  title: "Title",
  date: "2026-11-10",
  draft: false,
  bytes: 40 * 1024,
  errors: 0,
  warnings: 1,
  ...over,
});
const img = (file: string) => ({ file, width: 600, height: 900 });

function result(issues: IssueReview[], language = "en"): ReviewResult {
  return {
    root: "/r",
    outDir: "/r/review",
    index: "/r/review/index.html",
    summary: "/r/review/summary.md",
    base: { ref: "origin/main", commit: "a".repeat(40), mergeBase: "b".repeat(40) },
    projectChanged: false,
    language,
    newsletter: "Sales Weekly",
    issues,
    audiences: [],
    diagnostics: [],
    generatedAt: new Date("2026-11-28T14:05:00Z"),
  };
}

const CHANGED: IssueReview = {
  slug: "a",
  file: "issues/a.md",
  status: "changed",
  pixelsChanged: 0.0325,
  textChanged: true,
  before: side({ subject: "Old <b>subject</b> | pipe" }),
  after: side({ subject: 'New <script>alert("x")</script> | pipe', bytes: 41 * 1024, warnings: 2 }),
  variants: [
    { name: "600", pixelsChanged: 0.0325, before: img("a-600-before.png"), after: img("a-600-after.png"), diff: img("a-600-diff.png") },
  ],
  text: [
    {
      header: "@@ -1,1 +1,1 @@",
      lines: [
        { kind: "del", text: "<old>" },
        { kind: "add", text: "new & better" },
      ],
    },
  ],
};
const UNCHANGED: IssueReview = {
  slug: "b",
  file: "issues/b.md",
  status: "unchanged",
  pixelsChanged: 0,
  textChanged: false,
  before: side(),
  after: side(),
  variants: [],
  text: [],
};

describe("the review page", () => {
  test("an A/B test's subjects are listed as inbox rows: subject and preheader", () => {
    const ab: IssueReview = {
      ...CHANGED,
      after: side({ subject: "First", subjects: ["First", "Second <i>"], preheader: "Short.", abSample: 0.2 }),
    };
    const html = renderPage(result([ab]));
    expect(html).toContain("each reaches 20% of the list first");
    expect(html).toContain("<li><strong>First</strong> — Short.</li>");
    expect(html).toContain("<li><strong>Second &lt;i&gt;</strong> — Short.</li>");
    expect(renderPage(result([CHANGED]))).not.toContain('class="inbox"');
  });

  test("English strings for an English newsletter, dates and numbers through Intl, every value escaped", () => {
    const html = renderPage(result([CHANGED, UNCHANGED]));
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<title>Email changes: “Sales Weekly”</title>");
    expect(html).toContain("November 28, 2026");
    expect(html).toContain("3.25%");
    expect(html).toContain("40 KB → 41 KB");
    expect(html).toContain("0 / 1 → 0 / 2");
    expect(html).toContain("Changed: 1, new: 0, removed: 0, unchanged: 1.");
    expect(html).toContain(
      '<img src="a-600-before.png" alt="Before: New &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe, 600 px" width="600" height="900">',
    );
    expect(html).not.toContain("<script>");
    expect(html).toContain('<span class="del">− &lt;old&gt;</span><span class="add">+ new &amp; better</span>');
    expect(html).not.toContain("loading=");
    // the unchanged one is listed, without a section or images
    expect(html).toContain('<li>Subject <span class="file"><code>issues/b.md</code></span></li>');
    expect(html).not.toContain('id="issue-b"');
  });

  test("Russian for a Russian newsletter", () => {
    const html = renderPage(result([CHANGED], "ru"));
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain("28 ноября 2026");
    expect(html).toContain("3,25\u00a0%");
    expect(html).toContain(">изменён<");
    expect(html).toContain("40 КБ → 41 КБ");
  });
});

describe("summary.md", () => {
  test("a table row per changed issue; cells cannot break the table or inject HTML", () => {
    const md = renderSummary(result([CHANGED, UNCHANGED]));
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    expect(rows).toEqual([
      "| Issue | Status | Pixels changed | Size | Errors / warnings |",
      '| New &lt;script&gt;alert("x")&lt;/script&gt; \\| pipe<br>`issues/a.md` | changed | 3.25% | 40 KB → 41 KB | 0 / 1 → 0 / 2 |',
    ]);
    expect(md).toContain("Compared with `origin/main` (`bbbbbbb`).");
    expect(md).toContain("Unchanged: 1.");
  });

  test("short enough for a pull-request comment however many issues change", () => {
    const many = Array.from({ length: 500 }, (_, n) => ({ ...CHANGED, slug: `i${n}`, file: `issues/${"x".repeat(200)}-${n}.md` }));
    const md = renderSummary(result(many));
    expect(md.split("\n").filter((l) => l.startsWith("| ")).length).toBe(MAX_ROWS + 1);
    expect(md).toContain(`…and ${500 - MAX_ROWS} more`);
    expect(md.length).toBeLessThan(65_536);
  });

  test("nothing changed: one line says so", () => {
    const md = renderSummary(result([UNCHANGED]));
    expect(md).toContain("No email changed.");
    expect(md).not.toContain("| Issue");
  });
});
