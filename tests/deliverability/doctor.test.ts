// `rassylka doctor` through the built CLI against a real DNS server: Debian's dnsmasq on 127.0.0.1 with a
// free port and a generated zone — a good one (exit 0) and one fault at a time, each named with its fix.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createSocket } from "node:dgram";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { englishLines, shape } from "../helpers/cli.js";
import { CONFIG, ISSUE, makeProject, REPO, SECRET } from "../send/helpers.js";

const BIN = join(REPO, "bin", "rassylka.js");
const DOMAIN = "prodazhi.example.ru";
const SELECTOR = "r1";

const rsa = (bits: number) => generateKeyPairSync("rsa", { modulusLength: bits });
const KEY = rsa(2048);
const OTHER = rsa(2048);
const pem = (k: KeyObject) => k.export({ type: "pkcs8", format: "pem" }).toString();
const dkimValue = (pub: KeyObject) => `v=DKIM1; k=rsa; p=${pub.export({ type: "spki", format: "der" }).toString("base64")}`;

/** A TXT value as dnsmasq writes it: strings of at most 255 bytes. */
const strings = (v: string) => (v.match(/.{1,200}/g) ?? []).map((s) => `"${s}"`).join(",");

interface Zone {
  spf?: string;
  dkim?: string;
  dmarc?: string;
  mx?: boolean;
}

const GOOD: Zone = {
  spf: "v=spf1 mx ~all",
  dkim: dkimValue(KEY.publicKey),
  dmarc: `v=DMARC1; p=quarantine; rua=mailto:dmarc@${DOMAIN}`,
  mx: true,
};

function dnsmasqConfig(port: number, zone: Zone): string {
  const lines = [
    `port=${port}`,
    "listen-address=127.0.0.1",
    "bind-interfaces",
    "no-resolv",
    "no-hosts",
    // answer for the whole zone ourselves: a name without records is NXDOMAIN/NODATA, not "refused"
    "local=/example.ru/",
    `address=/${DOMAIN}/127.0.0.2`,
  ];
  if (zone.spf) lines.push(`txt-record=${DOMAIN},${strings(zone.spf)}`);
  if (zone.dkim) lines.push(`txt-record=${SELECTOR}._domainkey.${DOMAIN},${strings(zone.dkim)}`);
  if (zone.dmarc) lines.push(`txt-record=_dmarc.${DOMAIN},${strings(zone.dmarc)}`);
  if (zone.mx) lines.push(`mx-host=${DOMAIN},mail.${DOMAIN},10`);
  return `${lines.join("\n")}\n`;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

let dnsmasq: ChildProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  if (dnsmasq && dnsmasq.exitCode === null) {
    const exited = new Promise((resolve) => dnsmasq!.once("exit", resolve));
    dnsmasq.kill("SIGTERM");
    await exited;
  }
  dnsmasq = undefined;
  await cleanup?.();
  cleanup = undefined;
});

/**
 * dnsmasq on a free port. It listens on TCP too, and a UDP port found free may be taken on TCP by
 * another test's server (or taken on UDP in between): then it tries another port.
 */
async function startDns(dir: string, zone: Zone): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDnsOnce(dir, zone);
    } catch (error) {
      if (attempt >= 5 || !/Address already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startDnsOnce(dir: string, zone: Zone): Promise<string> {
  const port = await freeUdpPort();
  const conf = join(dir, "dnsmasq.conf");
  await writeFile(conf, dnsmasqConfig(port, zone));
  const user = process.getuid?.() === 0 ? ["--user=root"] : [];
  dnsmasq = spawn("dnsmasq", ["--no-daemon", `--conf-file=${conf}`, "--pid-file=", ...user], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  dnsmasq.stderr!.on("data", (c) => {
    log += c;
  });
  // ready when it says so (it logs "started" once listening)
  const deadline = Date.now() + 20_000;
  while (!/started/.test(log)) {
    if (dnsmasq.exitCode !== null || Date.now() > deadline) throw new Error(`dnsmasq did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `127.0.0.1:${port}`;
}

interface Report {
  exitCode: number;
  ehlo: { name: string; source: string };
  findings: { ruleId: string; severity: string; message: string; fix?: string }[];
}

async function doctor(zone: Zone, { key = KEY.privateKey, config = CONFIG, env = {} as NodeJS.ProcessEnv } = {}) {
  const p = await makeProject(config);
  cleanup = p.cleanup;
  const server = await startDns(p.root, zone);
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, "doctor", "--dns", server, ...args],
        {
          cwd: p.root,
          env: {
            PATH: process.env.PATH,
            RASSYLKA_LANG: "en",
            DKIM_DOMAIN: DOMAIN,
            DKIM_SELECTOR: SELECTOR,
            DKIM_PRIVATE_KEY: pem(key),
            ...env,
          },
        },
        (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  // four independent runs against the same zone, at once; the editors' language (the last two): the same
  // findings and exit code, not a word of English (tests/helpers/cli.ts)
  const [json, text, ru, ruJson] = await Promise.all([run(["--json"]), run([]), run(["--lang", "ru"]), run(["--lang", "ru", "--json"])]);
  expect(ru.code).toBe(text.code);
  expect(englishLines(`${ru.stdout}\n${ru.stderr}`)).toEqual([]);
  expect(shape(ruJson.stdout)).toEqual(shape(json.stdout));
  return { report: JSON.parse(json.stdout) as Report, code: json.code, text };
}

const errors = (r: Report) => r.findings.filter((f) => f.severity === "error");

describe("rassylka doctor against a local DNS server", () => {
  it("a good zone: exit 0, no error, the EHLO name said, the key's record matched", async () => {
    const { report, code, text } = await doctor(GOOD, { env: { SMTP_EHLO_NAME: "mail.prodazhi.example.ru" } });
    expect(errors(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.exitCode).toBe(0);
    expect(report.ehlo).toEqual({ name: "mail.prodazhi.example.ru", source: "env" });
    expect(report.findings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(["doctor/spf", "doctor/dkim", "doctor/dmarc", "doctor/mx"]),
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("EHLO name: mail.prodazhi.example.ru (SMTP_EHLO_NAME)");
    expect(text.stdout).toContain("Ready: no errors.");
  });

  it.each([
    [
      "missing DMARC",
      { ...GOOD, dmarc: undefined },
      "doctor/dmarc-missing",
      `_dmarc.${DOMAIN}. IN TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc@${DOMAIN}"`,
    ],
    [
      "a wrong DKIM key",
      { ...GOOD, dkim: dkimValue(OTHER.publicKey) },
      "doctor/dkim-mismatch",
      `${SELECTOR}._domainkey.${DOMAIN}. IN TXT "${dkimValue(KEY.publicKey)}"`,
    ],
    [
      "no DKIM record",
      { ...GOOD, dkim: undefined },
      "doctor/dkim-missing",
      `${SELECTOR}._domainkey.${DOMAIN}. IN TXT "${dkimValue(KEY.publicKey)}"`,
    ],
    [
      "SPF with 11 lookups",
      { ...GOOD, spf: `v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.${DOMAIN}`).join(" ")} ~all` },
      "doctor/spf-lookups",
      `${DOMAIN}. IN TXT "v=spf1 ip4:203.0.113.0/24 mx ~all"`,
    ],
    ["+all", { ...GOOD, spf: "v=spf1 mx +all" }, "doctor/spf-plus-all", `${DOMAIN}. IN TXT "v=spf1 mx ~all"`],
    ["no SPF", { ...GOOD, spf: undefined }, "doctor/spf-missing", `${DOMAIN}. IN TXT "v=spf1 mx ~all"`],
    ["no MX", { ...GOOD, mx: false }, "doctor/no-mx", `${DOMAIN}. IN MX 10 mail.${DOMAIN}.`],
  ] as const)("%s: exit 1, named with the exact record to publish", async (_name, zone, rule, record) => {
    const { report, code, text } = await doctor(zone);
    expect(code).toBe(1);
    expect(errors(report).map((f) => f.ruleId)).toEqual([rule]);
    expect(errors(report)[0].fix).toContain(record);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`[${rule}]`);
    expect(text.stdout).toContain(record);
  });

  it("warns (exit 0) on a 1024-bit key and on p=none", async () => {
    const small = rsa(1024);
    const { report, code } = await doctor(
      { ...GOOD, dkim: dkimValue(small.publicKey), dmarc: "v=DMARC1; p=none" },
      { key: small.privateKey },
    );
    expect(code).toBe(0);
    expect(
      report.findings
        .filter((f) => f.severity === "warning")
        .map((f) => f.ruleId)
        .sort(),
    ).toEqual(["doctor/dkim-short", "doctor/dmarc-none"]);
  });

  it("DKIM_DOMAIN off the From domain is an error that names the record to publish on From's", async () => {
    const { report, code } = await doctor(GOOD, { env: { DKIM_DOMAIN: "mailer.example.com" } });
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.ruleId === "doctor/dkim-alignment");
    expect(f?.severity).toBe("error");
    expect(f?.fix).toContain(`${SELECTOR}._domainkey.${DOMAIN}. IN TXT "${dkimValue(KEY.publicKey)}"`);
  });
});

/** A real SMTP server that keeps what it got: the EHLO name, MAIL FROM and the message's bytes. */
async function receiver() {
  const got: { ehlo: string; mailFrom: string; raw: Buffer }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        got.push({ ehlo: session.hostNameAppearsAs, mailFrom: from ? from.address : "", raw: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return { got, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The message as a mailbox saves it: the receiving MTA's Return-Path and Received on top (mailauth reads the client's IP and EHLO there). */
const saved = (m: { ehlo: string; mailFrom: string; raw: Buffer }, ip: string) =>
  Buffer.concat([
    Buffer.from(
      `Return-Path: <${m.mailFrom}>\r\nReceived: from ${m.ehlo} (${m.ehlo} [${ip}])\r\n\tby mx.example.org with ESMTPS id 4Xy1; Tue, 1 Dec 2026 09:00:00 +0000\r\n`,
    ),
    m.raw,
  ]);

describe("rassylka doctor --message: a --test copy as received, through mailauth, against the local DNS", () => {
  it("signed and sent from the SPF-listed address: DKIM, SPF and DMARC pass (exit 0); altered on the way or from elsewhere: the failing verdicts, exit 1", async () => {
    const p = await makeProject(CONFIG);
    const smtp = await receiver();
    cleanup = async () => {
      await smtp.close();
      await p.cleanup();
    };
    const dns = await startDns(p.root, { ...GOOD, spf: "v=spf1 ip4:127.0.0.2 -all" });
    const env = {
      PATH: process.env.PATH,
      RASSYLKA_LANG: "en",
      RASSYLKA_SECRET: SECRET,
      DKIM_DOMAIN: DOMAIN,
      DKIM_SELECTOR: SELECTOR,
      DKIM_PRIVATE_KEY: pem(KEY.privateKey),
      SMTP_EHLO_NAME: `mail.${DOMAIN}`,
    };
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [BIN, ...args], { cwd: p.root, env }, (e, stdout, stderr) =>
          resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const sent = await cli(["send", ISSUE, "--test", "editor@example.org", "--transport", "smtp", "--smtp-url", smtp.url, "--yes"]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(smtp.got).toHaveLength(1);
    const copy = smtp.got[0];
    const verdicts = (r: Report) =>
      Object.fromEntries(r.findings.filter((f) => f.ruleId.startsWith("doctor/message-")).map((f) => [f.ruleId, f.severity]));

    // the copy as received, altered on the way (a signed header changed after sending), and altered and relayed
    // from an address the SPF record does not list; the five checks below read these files, all at once
    const altered = saved(copy, "127.0.0.2").toString("latin1").replace("\r\nPrecedence: bulk\r\n", "\r\nPrecedence: list\r\n");
    expect(altered).toContain("Precedence: list");
    await writeFile(join(p.root, "good.eml"), saved(copy, "127.0.0.2"));
    await writeFile(join(p.root, "altered.eml"), Buffer.from(altered, "latin1"));
    await writeFile(join(p.root, "elsewhere.eml"), Buffer.from(altered.replace("[127.0.0.2]", "[198.51.100.7]"), "latin1"));
    const [good, text, bad, elsewhereRun, missing] = await Promise.all([
      cli(["doctor", "--dns", dns, "--json", "--message", "good.eml"]),
      cli(["doctor", "--dns", dns, "--message", "good.eml"]),
      cli(["doctor", "--dns", dns, "--json", "--message", "altered.eml"]),
      cli(["doctor", "--dns", dns, "--json", "--message", "elsewhere.eml"]),
      cli(["doctor", "--dns", dns, "--message", "nowhere.eml"]),
    ]);

    expect(good.stdout, good.stderr).toMatch(/^{/);
    const goodReport = JSON.parse(good.stdout) as Report;
    expect(verdicts(goodReport)).toEqual({ "doctor/message-dkim": "info", "doctor/message-spf": "info", "doctor/message-dmarc": "info" });
    expect(good.code, good.stdout).toBe(0);
    expect(text.stdout).toContain(`DKIM of the received message: pass (${DOMAIN})`);
    expect(text.stdout).toContain("DMARC of the received message: pass");

    // a signed header changed after sending: DKIM fails, and with SPF alone DMARC still passes (aligned return path)
    expect(bad.code, bad.stdout).toBe(1);
    const badReport = JSON.parse(bad.stdout) as Report;
    expect(verdicts(badReport)).toEqual({ "doctor/message-dkim": "error", "doctor/message-spf": "info", "doctor/message-dmarc": "info" });
    expect(badReport.findings.find((f) => f.ruleId === "doctor/message-dkim")?.fix).toMatch(/real SMTP server/);

    // the same copy relayed from an address the SPF record does not list, and altered: nothing passes
    const elsewhere = JSON.parse(elsewhereRun.stdout) as Report;
    expect(verdicts(elsewhere)).toEqual({ "doctor/message-dkim": "error", "doctor/message-spf": "error", "doctor/message-dmarc": "error" });
    expect(elsewhere.exitCode).toBe(1);

    // a file that is not there: one error naming it, no stack trace
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toMatch(/cannot read .*nowhere\.eml: ENOENT/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
