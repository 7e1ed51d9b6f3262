import type { Resolver } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import { type Diagnostic, error, info } from "../diagnostics.js";
import { t } from "../i18n/index.js";

/**
 * `doctor --message FILE.eml`: a message as it arrived (the `--test` copy, saved from a mailbox) through
 * mailauth's authenticate — DKIM, SPF (the client IP from its Received header) and DMARC, as receivers see them.
 */
export async function checkMessage(file: string, resolver: Resolver): Promise<Diagnostic[]> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    return [
      error("doctor/message", t("deliverability:message.unreadable", { file, code: (e as NodeJS.ErrnoException).code ?? "error" }), {
        file,
        fix: t("deliverability:message.unreadable.fix"),
      }),
    ];
  }
  // mailauth is CommonJS: Node gives its exports as named ones, the bundled CLI (esbuild) only as `default`
  type Authenticate = (m: Buffer, o: Record<string, unknown>) => Promise<AuthResult>;
  const mailauth = (await import("mailauth")) as unknown as { authenticate?: Authenticate; default?: { authenticate: Authenticate } };
  const authenticate = mailauth.authenticate ?? mailauth.default!.authenticate;
  const result = await authenticate(raw, {
    trustReceived: true,
    resolver: (name: string, rr: string) => resolver.resolve(name, rr),
  });
  const out: Diagnostic[] = [];
  const verdict = (check: string, status: string | undefined, detail = "") => {
    const ok = status === "pass";
    const make = ok ? info : error;
    out.push(
      make(
        `doctor/message-${check.toLowerCase()}`,
        t("deliverability:message.verdict", { check, result: status ?? "none", detail: detail ? ` (${detail})` : "" }),
        {
          file,
          ...(ok ? {} : { fix: t("deliverability:message.fail.fix") }),
        },
      ),
    );
  };
  const dkim = result.dkim?.results ?? [];
  const passing = dkim.find((r) => r.status?.result === "pass");
  verdict("DKIM", passing ? "pass" : (dkim[0]?.status?.result ?? "none"), (passing ?? dkim[0])?.signingDomain ?? "");
  const spf = result.spf || undefined;
  const dmarc = result.dmarc || undefined;
  verdict("SPF", spf?.status?.result, spf?.domain ?? "");
  verdict("DMARC", dmarc?.status?.result, dmarc?.domain ?? "");
  return out;
}

interface AuthResult {
  dkim?: { results?: { signingDomain?: string; status?: { result?: string } }[] };
  spf?: { domain?: string; status?: { result?: string } } | false;
  dmarc?: { domain?: string; status?: { result?: string } } | false;
}
