// A real SMTP server (smtp-server) logs the EHLO name a send says and the message it gets; mailauth verifies
// the DKIM signature over the headers postmasters read.
import { generateKeyPairSync } from "node:crypto";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { simpleParser } from "mailparser";
import { describe, expect } from "vitest";
import { type CliEnv, CONFIG, ISSUE, sendTest as it, type SendProject, type Sink } from "../helpers.js";

const KEY = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = KEY.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const DKIM_TXT = `v=DKIM1; k=rsa; p=${KEY.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`;

/** RFC 2047 Q encoded words back to text (mailparser leaves unknown headers as they came). */
const decodeQ = (value: string) =>
  value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_m, q: string) => decodeURIComponent(q.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, "%$1")));

/** The hello issue sent by the CLI to `to` through `sink`, DKIM-signed, `env` added to its environment. */
const sendWith =
  (project: SendProject, sink: Sink) =>
  (to: string, env: CliEnv = {}) =>
    project.cli(["send", ISSUE, "--to", to, "--yes", "--transport", "smtp", "--smtp-url", sink.url], {
      DKIM_DOMAIN: "prodazhi.example.ru",
      DKIM_SELECTOR: "r1",
      DKIM_PRIVATE_KEY: PEM,
      ...env,
    });

describe("EHLO and the signed headers, on a real SMTP server", () => {
  it("says sending.ehlo (SMTP_EHLO_NAME overrides it), never an IP literal; DKIM verifies, covers List-Unsubscribe(-Post), the postmasters' headers and sending.headers, and over-signs", async ({
    project,
  }) => {
    await project.write(
      "newsletter.yaml",
      `${CONFIG}sending:\n  ehlo: out.prodazhi.example.ru\n  feedbackId: prodazhi\n  headers:\n    X-Campaign: весна 2026\n    Organization: Практика продаж\n`,
    );
    const sink = await project.smtp();
    const send = sendWith(project, sink);
    const log = sink.received;
    expect((await send("anna@example.ru")).code).toBe(0);
    expect((await send("boris@example.ru", { SMTP_EHLO_NAME: "relay.prodazhi.example.ru" })).code).toBe(0);
    expect(log.map((l) => l.ehlo)).toEqual(["out.prodazhi.example.ru", "relay.prodazhi.example.ru"]);
    for (const l of log) expect(l.ehlo).not.toMatch(/^\[?[\d.:]+\]?$/);

    const result = await dkimVerify(log[0].raw, {
      resolver: async (name: string, type: string) => {
        if (name === "r1._domainkey.prodazhi.example.ru" && type === "TXT") return [[DKIM_TXT]];
        throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      },
    });
    const sig = result.results[0];
    expect(sig.status.result).toBe("pass");
    expect(sig.signingDomain).toBe("prodazhi.example.ru");
    const signed = String((sig as { signingHeaders?: { keys?: string } }).signingHeaders?.keys ?? "")
      .toLowerCase()
      .split(":")
      .map((h: string) => h.trim());
    expect(signed).toEqual(
      expect.arrayContaining([
        "from",
        "subject",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "feedback-id",
        "x-postmaster-msgtype",
        "precedence",
        "x-campaign",
        "organization",
      ]),
    );
    // over-signed: named in h= once more than the message has them
    const h = /\bh=([^;]+)/.exec(log[0].raw.toString().split("\r\n\r\n")[0].replace(/\s+/g, ""))![1].toLowerCase().split(":");
    for (const name of ["from", "subject", "list-unsubscribe", "list-unsubscribe-post"])
      expect(
        h.filter((x) => x === name),
        name,
      ).toHaveLength(2);
    // so a From added on the way (a forwarder, a relay) fails the signature; a Received does not
    const resolver = async (name: string, type: string) => {
      if (name === "r1._domainkey.prodazhi.example.ru" && type === "TXT") return [[DKIM_TXT]];
      throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    };
    const added = (line: string) => Buffer.concat([Buffer.from(`${line}\r\n`), log[0].raw]);
    expect((await dkimVerify(added("From: other@evil.example"), { resolver })).results[0].status.result).not.toBe("pass");
    expect((await dkimVerify(added("Received: from a by b; Tue, 1 Dec 2026 09:00:00 +0000"), { resolver })).results[0].status.result).toBe(
      "pass",
    );
    const head = log[0].raw.toString("utf8").split("\r\n\r\n")[0];
    expect(head).toMatch(/^X-Postmaster-Msgtype: kak-uvelichit-obyomy-prodazh\.prodazhi\.example\.ru$/m);
    expect(head).toMatch(/^Precedence: bulk$/m);
    // sending.headers: on the message, non-ASCII as encoded words, read back as written
    const parsed = await simpleParser(log[0].raw);
    expect(decodeQ(String(parsed.headers.get("x-campaign")))).toBe("весна 2026");
    expect(decodeQ(String(parsed.headers.get("organization")))).toBe("Практика продаж");
    expect(head).toMatch(/^X-Campaign: =\?UTF-8\?Q\?/m);
    // a long value is folded: read it back unfolded
    expect(String((await simpleParser(log[0].raw)).headers.get("feedback-id")).replace(/\s+/g, "")).toBe(
      "2026-12-01-hello:kak-uvelichit-obyomy-prodazh.prodazhi.example.ru:rassylka:prodazhi",
    );
  });
});
