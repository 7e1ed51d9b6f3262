import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { Resolver } from "node:dns/promises";
import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, info, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { DkimOptions } from "../message/message.js";
import type { Ehlo } from "../send/ehlo.js";
import { aligned, organisationalDomain } from "../send/guards.js";

/**
 * `rassylka doctor`: is the sending domain ready for bulk mail by Gmail's and Yahoo's 2024 rules and
 * Mail.ru's postmaster rules? SPF, DKIM, DMARC, MX of the return path, the hosts readers' links point at.
 * Every finding is a Diagnostic whose fix is the exact DNS record to publish.
 */
export interface DoctorInput {
  config: NewsletterConfig;
  /** DKIM from the environment (dkimFromEnv), if any. */
  dkim?: DkimOptions;
  /** The SMTP relay's host (from SMTP_URL): the SPF record to suggest allows it. */
  smtpHost?: string;
  /** `HOST:PORT` of the resolver to ask (`--dns`); default the system's. */
  dns?: string;
  /** EHLO name and where it came from (src/send/ehlo.ts). */
  ehlo: Ehlo;
}

export interface DoctorReport {
  from: string;
  ehlo: Ehlo;
  findings: Diagnostic[];
}

type Lookup = (name: string, type: "TXT" | "MX" | "A" | "AAAA") => Promise<string[] | undefined>;

/** A lookup over one resolver: the answers, or undefined when the name or the type has none. */
export function dnsLookup(server?: string): { lookup: Lookup; resolver: Resolver; server: string } {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (server) resolver.setServers([server]);
  const lookup: Lookup = async (name, type) => {
    try {
      if (type === "TXT") return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
      if (type === "MX") return (await resolver.resolveMx(name)).sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
      if (type === "A") return await resolver.resolve4(name);
      return await resolver.resolve6(name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENODATA" || code === "ENOTFOUND") return undefined;
      throw Object.assign(new Error(`${name} ${type}: ${code}`), { dnsName: name, dnsType: type, code });
    }
  };
  return { lookup, resolver, server: server ?? resolver.getServers().join(", ") };
}

const txt = (name: string, value: string) => `${name}. IN TXT "${value}"`;

export async function doctor(input: DoctorInput): Promise<DoctorReport> {
  const { config } = input;
  const from = config.from.email.split("@")[1].toLowerCase();
  const returnDomain = (config.returnPath ?? config.from.email).split("@")[1].toLowerCase();
  const { lookup, server } = dnsLookup(input.dns);
  const findings: Diagnostic[] = [];
  const guarded = async (step: () => Promise<void>) => {
    try {
      await step();
    } catch (e) {
      const x = e as { dnsName?: string; dnsType?: string; code?: string };
      if (!x.dnsName) throw e;
      findings.push(
        error("doctor/dns", t("deliverability:dns.failed", { name: x.dnsName, type: x.dnsType, code: x.code }), {
          fix: t("deliverability:dns.failed.fix", { server }),
        }),
      );
    }
  };
  findings.push(
    info(
      "doctor/ehlo",
      t("deliverability:doctor.ehlo", { name: input.ehlo.name, source: t(`deliverability:doctor.ehlo.${input.ehlo.source}`) }),
    ),
  );
  await guarded(() => checkSpf(returnDomain, input.smtpHost, lookup, findings));
  await guarded(() => checkDkim(from, input.dkim, lookup, findings));
  await guarded(() => checkDmarc(from, returnDomain, input.dkim, lookup, findings));
  await guarded(() => checkMx(returnDomain, lookup, findings));
  const hosts: [string, string, string][] = [];
  if (config.unsubscribe?.url) hosts.push([new URL(config.unsubscribe.url).hostname, "unsubscribe.url", "unsubscribe"]);
  if (config.url) hosts.push([new URL(config.url).hostname, "url", "url"]);
  for (const [host, field, what] of hosts) {
    await guarded(async () => {
      const found = (await lookup(host, "A")) ?? (await lookup(host, "AAAA"));
      if (found?.length) return;
      const make = what === "unsubscribe" ? error : warning;
      findings.push(
        make("doctor/host", t("deliverability:host.missing", { host, field, what: t(`deliverability:host.${what}`) }), {
          file: "newsletter.yaml",
          field,
          fix: t("deliverability:host.fix", { record: `${host}. IN A 203.0.113.10` }),
        }),
      );
    });
  }
  return { from, ehlo: input.ehlo, findings };
}

const SPF_LOOKUP_MECHANISMS = /^[+~?-]?(include:|a\b|a:|a\/|mx\b|mx:|mx\/|ptr\b|ptr:|exists:)|^redirect=/i;

/** RFC 7208 §4.6.4: the DNS lookups an SPF record needs, its includes and redirect followed (at most a few levels). */
async function spfLookups(record: string, lookup: Lookup, depth = 0): Promise<number> {
  let n = 0;
  for (const term of record.split(/\s+/).slice(1)) {
    if (!SPF_LOOKUP_MECHANISMS.test(term)) continue;
    n++;
    const target = /^[+~?-]?include:(.+)$/i.exec(term)?.[1] ?? /^redirect=(.+)$/i.exec(term)?.[1];
    if (target && depth < 5) {
      const inner = (await lookup(target, "TXT"))?.find((r) => /^v=spf1(\s|$)/i.test(r));
      if (inner) n += await spfLookups(inner, lookup, depth + 1);
    }
  }
  return n;
}

async function checkSpf(domain: string, smtpHost: string | undefined, lookup: Lookup, out: Diagnostic[]): Promise<void> {
  const records = ((await lookup(domain, "TXT")) ?? []).filter((r) => /^v=spf1(\s|$)/i.test(r));
  const suggested = `v=spf1 ${smtpHost && !/^[\d.:]+$/.test(smtpHost) ? `a:${smtpHost} ` : ""}mx ~all`;
  if (records.length === 0) {
    out.push(
      error("doctor/spf-missing", t("deliverability:spf.missing", { domain }), {
        fix: t("deliverability:publish", { record: txt(domain, suggested) }),
      }),
    );
    return;
  }
  if (records.length > 1) {
    out.push(
      error("doctor/spf-many", t("deliverability:spf.many", { domain, count: records.length }), {
        fix: t("deliverability:replace", { record: txt(domain, records[0]) }),
      }),
    );
  }
  const record = records[0];
  if (/(^|\s)\+all(\s|$)/i.test(record)) {
    out.push(
      error("doctor/spf-plus-all", t("deliverability:spf.plusAll", { domain }), {
        fix: t("deliverability:replace", { record: txt(domain, record.replace(/(^|\s)\+all(?=\s|$)/i, "$1~all")) }),
      }),
    );
  }
  const lookups = await spfLookups(record, lookup);
  if (lookups > 10) {
    out.push(
      error("doctor/spf-lookups", t("deliverability:spf.lookups", { domain, count: lookups }), {
        fix: t("deliverability:spf.lookups.fix", { record: txt(domain, "v=spf1 ip4:203.0.113.0/24 mx ~all") }),
      }),
    );
  }
  if (!out.some((d) => d.ruleId.startsWith("doctor/spf"))) out.push(info("doctor/spf", t("deliverability:spf.ok", { domain, record })));
}

/** The `p=` of a DKIM record as published for this key: base64 of the SubjectPublicKeyInfo (RSA) or the raw key (Ed25519). */
function dkimRecord(key: KeyObject): { value: string; bits: number } {
  const pub = createPublicKey(key);
  if (key.asymmetricKeyType === "ed25519") {
    const der = pub.export({ type: "spki", format: "der" });
    return { value: `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString("base64")}`, bits: 256 };
  }
  const der = pub.export({ type: "spki", format: "der" });
  return { value: `v=DKIM1; k=rsa; p=${der.toString("base64")}`, bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}

async function checkDkim(from: string, dkim: DkimOptions | undefined, lookup: Lookup, out: Diagnostic[]): Promise<void> {
  if (!dkim) {
    out.push(
      error("doctor/dkim-not-configured", t("deliverability:dkim.notConfigured"), { fix: t("deliverability:dkim.notConfigured.fix") }),
    );
    return;
  }
  const key = createPrivateKey(dkim.privateKey);
  const expected = dkimRecord(key);
  const name = `${dkim.keySelector}._domainkey.${dkim.domainName}`;
  const publish = t("deliverability:publish", { record: txt(name, expected.value) });
  if (!aligned(dkim.domainName, from)) {
    out.push(
      error("doctor/dkim-alignment", t("deliverability:dkim.alignment", { from, dkim: dkim.domainName }), {
        field: "DKIM_DOMAIN",
        fix: t("deliverability:dkim.alignment.fix", { from, record: txt(`${dkim.keySelector}._domainkey.${from}`, expected.value) }),
      }),
    );
  }
  if (expected.bits && expected.bits < 1024) {
    out.push(
      error("doctor/dkim-weak", t("deliverability:dkim.weak", { bits: expected.bits }), { fix: t("deliverability:dkim.short.fix") }),
    );
  } else if (key.asymmetricKeyType === "rsa" && expected.bits < 2048) {
    out.push(
      warning("doctor/dkim-short", t("deliverability:dkim.short", { bits: expected.bits }), { fix: t("deliverability:dkim.short.fix") }),
    );
  }
  const published = ((await lookup(name, "TXT")) ?? []).filter((r) => /(^|;)\s*p=/i.test(r));
  if (published.length === 0) {
    out.push(error("doctor/dkim-missing", t("deliverability:dkim.missing", { name }), { fix: publish }));
    return;
  }
  const p = (r: string) => /(?:^|;)\s*p=([^;]*)/i.exec(r)?.[1].replace(/\s+/g, "") ?? "";
  const want = p(expected.value);
  if (!published.some((r) => p(r) === want)) {
    out.push(
      error("doctor/dkim-mismatch", t("deliverability:dkim.mismatch", { name }), {
        fix: t("deliverability:replace", { record: txt(name, expected.value) }),
      }),
    );
    return;
  }
  out.push(info("doctor/dkim", t("deliverability:dkim.ok", { name, bits: expected.bits })));
}

async function checkDmarc(
  from: string,
  returnDomain: string,
  dkim: DkimOptions | undefined,
  lookup: Lookup,
  out: Diagnostic[],
): Promise<void> {
  const find = async (domain: string) => ((await lookup(`_dmarc.${domain}`, "TXT")) ?? []).find((r) => /^v=DMARC1(\s|;|$)/i.test(r));
  const org = organisationalDomain(from);
  const record = (await find(from)) ?? (org !== from ? await find(org) : undefined);
  const suggested = `v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc@${from}`;
  if (!record) {
    out.push(
      error("doctor/dmarc-missing", t("deliverability:dmarc.missing", { domain: from }), {
        fix: t("deliverability:publish", { record: txt(`_dmarc.${from}`, suggested) }),
      }),
    );
  } else {
    const policy = /(?:^|;)\s*p=([a-z]+)/i.exec(record)?.[1]?.toLowerCase();
    if (policy === "none") {
      out.push(
        warning("doctor/dmarc-none", t("deliverability:dmarc.none", { domain: from }), {
          fix: t("deliverability:replace", { record: txt(`_dmarc.${from}`, record.replace(/p=none/i, "p=quarantine")) }),
        }),
      );
    } else out.push(info("doctor/dmarc", t("deliverability:dmarc.ok", { domain: from, record })));
  }
  if (!aligned(returnDomain, from)) {
    out.push(
      warning("doctor/return-path-alignment", t("deliverability:returnPath.alignment", { domain: returnDomain, from }), {
        file: "newsletter.yaml",
        field: "returnPath",
        fix: t("deliverability:returnPath.alignment.fix", { from }),
      }),
    );
  }
  void dkim;
}

async function checkMx(domain: string, lookup: Lookup, out: Diagnostic[]): Promise<void> {
  const mx = await lookup(domain, "MX");
  if (!mx?.length) {
    out.push(
      error("doctor/no-mx", t("deliverability:mx.missing", { domain }), {
        fix: t("deliverability:publish", { record: `${domain}. IN MX 10 mail.${domain}.` }),
      }),
    );
    return;
  }
  out.push(info("doctor/mx", t("deliverability:mx.ok", { domain, hosts: mx.join(", ") })));
}
