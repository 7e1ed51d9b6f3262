import MarkdownIt from "markdown-it";

/**
 * Stage: Markdown → HTML. markdown-it's own typographer is off: typograf does typography for the
 * newsletter's language in the next stage. Raw HTML is allowed (editors paste buttons and tables).
 */
const md = new MarkdownIt({ html: true, linkify: true, typographer: false, breaks: false });

// Data tables get a class: the text stage lays them out as tables, apart from MJML's layout tables.
md.renderer.rules.table_open = () => '<table class="rsk-data">\n';

export function markdownToHtml(markdown: string): string {
  return md.render(markdown);
}
