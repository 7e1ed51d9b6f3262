// The refusals a real send makes before bulk mail that Gmail and Yahoo reject, through the built CLI:
// no one-click unsubscribe, no unsubscribe link in the body, DKIM or the return path off the From domain.
import { generateKeyPairSync } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect } from "vitest";
import { type CliEnv, CONFIG, ISSUE, type SendProject, sendTest } from "../send/helpers.js";

const MAILTO_ONLY = CONFIG.replace("  url: https://prodazhi.example.ru/rassylka/unsubscribe\n", "");
const DKIM_KEY = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const it = sendTest;
/** The newsletter with `config` as its newsletter.yaml; its folder. */
async function project(p: SendProject, config: string): Promise<string> {
  await p.write("newsletter.yaml", config);
  return p.root;
}
const cli = (p: SendProject, args: string[], env: CliEnv = {}) => p.cli(args, env).then((r) => ({ ...r, code: r.code ?? 1 }));

const sent = async (root: string, slug = "2026-12-01-hello") => (await readdir(join(root, "outbox", slug)).catch(() => [])).length;

// several whole CLI processes a test: on a loaded 2-core machine one takes up to ~40 s
describe("send refuses bulk mail the big providers reject", { timeout: 240_000 }, () => {
  it("without unsubscribe.url (a mailto alone): exit 1, the fix named, nothing sent; --test and --dry-run go", async ({ project: p }) => {
    const root = await project(p, MAILTO_ONLY);
    const r = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[send/no-one-click]");
    expect(r.stderr).toContain("fix: add unsubscribe.url: https://…/unsubscribe");
    expect(r.stderr).toContain("--allow-no-one-click");
    expect(await sent(root)).toBe(0);
    expect((await cli(p, ["send", ISSUE, "--test", "anna@example.ru"])).code).toBe(0);
    expect((await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--dry-run"])).code).toBe(0);
  });

  it("--allow-no-one-click sends a private list, says so in the summary, and the footer links the mailto", async ({ project: p }) => {
    const root = await project(p, MAILTO_ONLY);
    const r = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes", "--allow-no-one-click"]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sent without one-click unsubscribe (--allow-no-one-click)");
    expect(await sent(root)).toBe(1);
    const eml = await readFile(join(root, "outbox", "2026-12-01-hello", "anna@example.ru.eml"), "utf8");
    const html = (await simpleParser(eml)).html || "";
    expect(html).toContain('href="mailto:unsubscribe@prodazhi.example.ru?subject=unsubscribe"');
    const json = await cli(p, ["send", ISSUE, "--to", "boris@example.ru", "--yes", "--allow-no-one-click", "--json"]);
    expect(JSON.parse(json.stdout).allowed).toEqual(["--allow-no-one-click"]);
  });

  it("an email whose body has no unsubscribe link: exit 1 with the fix", async ({ project: p }) => {
    const root = await project(p, CONFIG);
    await writeFile(
      join(root, "templates", "partials", "footer.hbs"),
      "<mj-section><mj-column><mj-text>Пока!</mj-text></mj-column></mj-section>\n",
    );
    const r = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the email has no unsubscribe link in its body");
    expect(r.stderr).toContain("[send/no-unsubscribe-link]");
    expect(r.stderr).toContain("fix: keep {{> footer}} in the layout");
    expect(await sent(root)).toBe(0);
  });

  it("DKIM_DOMAIN off the From domain: send/dkim-alignment, exit 1; its parent domain is aligned; --allow-unaligned overrides", async ({
    project: p,
  }) => {
    const root = await project(p, CONFIG);
    const dkim = (domain: string) => ({ DKIM_DOMAIN: domain, DKIM_SELECTOR: "r1", DKIM_PRIVATE_KEY: DKIM_KEY });
    const r = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes"], dkim("mailer.example.com"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[send/dkim-alignment]");
    expect(r.stderr).toContain("fix: sign with DKIM_DOMAIN=prodazhi.example.ru");
    expect(await sent(root)).toBe(0);
    // the organisational domain (the From domain's parent) aligns
    expect((await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes"], dkim("example.ru"))).code).toBe(0);
    const allowed = await cli(p, ["send", ISSUE, "--to", "boris@example.ru", "--yes", "--allow-unaligned"], dkim("mailer.example.com"));
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("(--allow-unaligned)");
  });

  it("returnPath off the From domain: send/spf-alignment, exit 1, the fix named", async ({ project: p }) => {
    const _root = await project(p, `${CONFIG}returnPath: bounces@mailer.example.com\n`);
    const r = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[send/spf-alignment]");
    expect(r.stderr).toContain("fix: use a return path on prodazhi.example.ru");
    const ok = await cli(p, ["send", ISSUE, "--to", "anna@example.ru", "--yes", "--allow-unaligned"]);
    expect(ok.code).toBe(0);
  });
});
