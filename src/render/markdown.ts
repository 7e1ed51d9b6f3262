import MarkdownIt from "markdown-it";

/**
 * Stage: Markdown → HTML. markdown-it's own typographer is off: typograf does typography for the
 * newsletter's language in the next stage. Raw HTML is allowed (editors paste buttons and tables).
 */
const md = new MarkdownIt({ html: true, linkify: true, typographer: false, breaks: false });

// Data tables get a class: the text stage lays them out as tables, apart from MJML's layout tables.
md.renderer.rules.table_open = () => '<table class="rsk-data">\n';
// Header cells say what they head, for screen readers (axe: th-has-data-cells, scope-attr-valid)
md.renderer.rules.th_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet("scope", "col");
  return self.renderToken(tokens, idx, options);
};

/**
 * Images: the content column's width for Outlook (which reads the attribute, not CSS) and a fluid style for
 * everyone else; never height="auto" (not a valid height, and Outlook draws it 0 px or at full size).
 */
export const CONTENT_WIDTH = 544;
const defaultImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const t = tokens[idx];
  if (!t.attrGet("width")) t.attrSet("width", String(CONTENT_WIDTH));
  if (!t.attrGet("style")) t.attrSet("style", `display:block;width:100%;max-width:${CONTENT_WIDTH}px;border:0;`);
  return defaultImage(tokens, idx, options, env, self);
};

/**
 * `[text](url){data-no-track}`: the link is never rewritten for click tracking (docs/report.md). The
 * mark after a link becomes its `data-no-track` attribute and leaves the text.
 */
const NO_TRACK = "{data-no-track}";
md.core.ruler.push("data_no_track", (state) => {
  for (const block of state.tokens) {
    const children = block.type === "inline" ? block.children : null;
    if (!children) continue;
    for (let i = 0; i < children.length - 1; i++) {
      const next = children[i + 1];
      if (children[i].type !== "link_close" || next.type !== "text" || !next.content.startsWith(NO_TRACK)) continue;
      next.content = next.content.slice(NO_TRACK.length);
      for (let j = i - 1; j >= 0; j--) {
        if (children[j].type !== "link_open") continue;
        children[j].attrSet("data-no-track", "");
        break;
      }
    }
  }
});

export function markdownToHtml(markdown: string): string {
  return md.render(markdown);
}
