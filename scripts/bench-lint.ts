/**
 * `npm run bench -- lint`: every rule on the example issues (40 runs), and in the same run the bare
 * libraries doing the same core work on the same HTML: caniemail's own checker (which parses the HTML
 * itself) plus one nodemailer MailComposer build per issue. Target: ours ≤ 1.5× bare; the first run
 * pays for the MJML baseline once per layout (reported apart).
 */

import { caniemail } from "caniemail";
import { parseDocument } from "htmlparser2";
import MailComposer from "nodemailer/lib/mail-composer";
import { lintIssue } from "../src/lint/index.js";
import { loadProject } from "../src/project/project.js";
import { buildProject } from "../src/site/build.js";

const ROOT = new URL("..", import.meta.url).pathname;
const RUNS = 40;

export async function run(): Promise<void> {
  const project = await loadProject(ROOT);
  const { built } = await buildProject(project, { root: ROOT, write: false, cache: false });
  const config = project.config.config;

  let t = performance.now();
  for (const b of built) await lintIssue(project, b.compiled);
  const first = performance.now() - t;

  t = performance.now();
  let findings = 0;
  for (let i = 0; i < RUNS; i++) for (const b of built) findings += (await lintIssue(project, b.compiled)).length;
  const ours = performance.now() - t;

  t = performance.now();
  for (let i = 0; i < RUNS; i++)
    for (const b of built) {
      parseDocument(b.html, { withStartIndices: true, withEndIndices: true });
      caniemail({ clients: ["gmail.*", "outlook.*", "apple-mail.*", "mail-ru.*"], html: b.html });
      await new MailComposer({ from: config.from.email, to: "a@b.ru", subject: b.compiled.subject, html: b.html, text: b.text })
        .compile()
        .build();
    }
  const bare = performance.now() - t;

  const n = RUNS * built.length;
  console.log(`lint: ${n} issue runs, ${findings} findings`);
  console.log(`  first run (MJML baseline per layout): ${first.toFixed(0)} ms for ${built.length} issues`);
  console.log(
    `  ours: ${(ours / n).toFixed(1)} ms/issue · bare caniemail + MailComposer: ${(bare / n).toFixed(1)} ms/issue · ratio ${(ours / bare).toFixed(2)}×`,
  );
}
