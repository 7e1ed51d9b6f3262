import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_FILE, parseConfig } from "../config/load.js";
import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, RassylkaError, warning } from "../diagnostics.js";
import { dkimFromEnv } from "../message/message.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import { ehloName } from "./ehlo.js";
import type { SendMode } from "./engine.js";
import type { Transport } from "./transport.js";
import { DryRunTransport } from "./transports/dry-run.js";
import { OutboxTransport } from "./transports/outbox.js";
import { SendsayTransport } from "./transports/sendsay/transport.js";
import { parseSmtpUrl, SMTP_URL_ENV, SmtpTransport } from "./transports/smtp.js";

export const SMTP_CA_FILE_ENV = "SMTP_CA_FILE";
export const SMTP_TLS_INSECURE_ENV = "SMTP_TLS_INSECURE";

/** The transport a send asks for by name (`--transport`, `--smtp-url`, `--concurrency`, `--insecure-tls`, `--dry-run`). */
export interface TransportChoice {
  transport: string;
  smtpUrl?: string;
  /** SMTP connections (the pool size). */
  concurrency: number;
  insecureTls?: boolean;
  dryRun?: boolean;
}

export type TransportFactory = (issue: { slug: string; mode: SendMode; config?: NewsletterConfig }) => Transport | Promise<Transport>;

export const usageError = (message: string, fix: string, field?: string) => new RassylkaError(error("send/usage", message, { fix, field }));

/**
 * The transport the choice names, made once the issue's slug is known. Its settings are checked now,
 * before the ledger is touched; `--dry-run` makes the named one (so it checks its settings) and replaces it.
 */
export function chooseTransport(
  choice: TransportChoice,
  root: string,
  env: NodeJS.ProcessEnv,
  warn: (d: Diagnostic) => void = () => {},
): TransportFactory {
  const named = namedTransport(choice, root, env, warn);
  if (!choice.dryRun) return named;
  return async (issue) => {
    const real = await named(issue);
    await real.close();
    return new DryRunTransport(real.description);
  };
}

function namedTransport(choice: TransportChoice, root: string, env: NodeJS.ProcessEnv, warn: (d: Diagnostic) => void): TransportFactory {
  const kind = choice.transport;
  if (kind === "sendsay") return sendsayPersonalTransport(root, env);
  if (kind !== "outbox" && kind !== "smtp")
    throw usageError(`unknown transport "${kind}"`, "use --transport outbox (files), smtp or sendsay", "--transport");
  const dkim = dkimFromEnv(env);
  if (kind === "outbox")
    return ({ slug, mode }) =>
      new OutboxTransport({ dir: join(root, "outbox", mode === "test" ? `${slug}-test` : slug), dkim, description: `outbox/${slug}/` });
  const url = choice.smtpUrl || env[SMTP_URL_ENV];
  if (!url)
    throw usageError(
      "no SMTP server given",
      `set ${SMTP_URL_ENV}=smtp://user:password@host:587 in the environment, or pass --smtp-url`,
      "--smtp-url",
    );
  const parsed = parseSmtpUrl(url); // fail now, before the ledger is touched
  if (choice.smtpUrl && parsed.auth?.pass)
    warn(
      warning(
        "send/password-on-command-line",
        "the SMTP password is on the command line, where other users of this machine can read it (ps)",
        {
          field: "--smtp-url",
          fix: `export ${SMTP_URL_ENV}='${parsed.masked}' (with the real password) in the shell instead, and drop --smtp-url`,
        },
      ),
    );
  const caFile = env[SMTP_CA_FILE_ENV];
  const ca = caFile ? readCaFile(caFile) : undefined;
  const insecure = choice.insecureTls || /^(1|true|yes)$/i.test(env[SMTP_TLS_INSECURE_ENV] ?? "");
  if (insecure)
    warn(
      warning(
        "send/tls-insecure",
        `the certificate of ${parsed.description} is not verified (${choice.insecureTls ? "--insecure-tls" : `${SMTP_TLS_INSECURE_ENV}=1`}): anyone on the network path could read the mail and the password`,
        { fix: `use this only for a relay on a trusted network; trust its certificate instead with ${SMTP_CA_FILE_ENV}=/path/to/ca.pem` },
      ),
    );
  // EHLO: SMTP_EHLO_NAME, sending.ehlo, this host's FQDN, else the From domain — never an IP literal
  return ({ config }) =>
    new SmtpTransport({
      url,
      maxConnections: choice.concurrency,
      dkim,
      ca,
      allowInvalidCertificates: insecure,
      name: config ? ehloName(config, env).name : env.SMTP_EHLO_NAME?.trim() || undefined,
    });
}

/** `SMTP_CA_FILE`: the PEM of a private CA (or of the relay's self-signed certificate). */
function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (e) {
    throw usageError(
      `cannot read ${SMTP_CA_FILE_ENV} ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
      "point it at the PEM file of the relay's CA (or its self-signed certificate)",
      SMTP_CA_FILE_ENV,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----"))
    throw usageError(
      `${SMTP_CA_FILE_ENV} ${path} holds no PEM certificate`,
      "give the CA certificate as PEM (-----BEGIN CERTIFICATE----- …)",
      SMTP_CA_FILE_ENV,
    );
  return pem;
}

/** newsletter.yaml read synchronously, for checks that must fail before the ledger is touched; undefined when unusable (the send reports that itself). */
export function configNow(root: string): NewsletterConfig | undefined {
  try {
    return parseConfig(readFileSync(join(root, CONFIG_FILE), "utf8")).config;
  } catch {
    return undefined;
  }
}

/**
 * `--transport sendsay` without --group: the transport factory for the send engine. Missing key or login
 * fail here, before anything is recorded; the key and login are checked with Sendsay before the first letter.
 */
export function sendsayPersonalTransport(root: string, env: NodeJS.ProcessEnv): () => Transport {
  const credentials = sendsayCredentials(configNow(resolve(root)), env);
  // retries belong to the engine's ledger: the transport tries once (and checks the key in open())
  return () => new SendsayTransport(new SendsayClient({ ...credentials, maxAttempts: 1 }));
}
