import { hostname } from "node:os";
import type { NewsletterConfig } from "../config/schema.js";

export interface Ehlo {
  name: string;
  source: "env" | "config" | "host" | "from";
}

/** The name nodemailer says in EHLO: SMTP_EHLO_NAME, sending.ehlo, this host's FQDN, else the From domain — never an IP literal. */
export function ehloName(config: NewsletterConfig, env: NodeJS.ProcessEnv, host = hostname()): Ehlo {
  const fromEnv = env.SMTP_EHLO_NAME?.trim();
  if (fromEnv) return { name: fromEnv, source: "env" };
  if (config.sending?.ehlo) return { name: config.sending.ehlo, source: "config" };
  const isFqdn = host.includes(".") && !/^[\d.]+$/.test(host) && !host.includes(":") && !host.endsWith(".local");
  if (isFqdn) return { name: host.toLowerCase(), source: "host" };
  return { name: config.from.email.split("@")[1].toLowerCase(), source: "from" };
}
