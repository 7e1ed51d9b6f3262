import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileOrThrow } from "../compile/compile.js";
import { error, RassylkaError } from "../diagnostics.js";
import { loadProject } from "../project/project.js";
import type { TemplateSet } from "../render/templates.js";
import { refuseDraft } from "../send/guards.js";
import { SendsayClient, type SendsayClientOptions, sendsayCredentials } from "../sendsay/client.js";
import type { StateLocation } from "../state/location.js";
import { assertCampaignable, type CampaignOptions, type CampaignOutcome, readerFields, sendsayRequest } from "./campaign.js";
import type { SourceFile } from "./proscript.js";
import { sendCampaign } from "./stored.js";
import { campaignTarget } from "./topic-list.js";

/** `rassylka send <issue> --transport sendsay --group <id>` as asked, the state already resolved. */
export interface CampaignSubmission {
  root: string;
  issue: string;
  transport?: string;
  /** The Sendsay list's id, as given. */
  group?: string;
  to?: string;
  test?: string;
  dryRun?: boolean;
  /** Submit without asking; needed when nobody can be asked. */
  yes?: boolean;
  /** Somebody at a terminal can answer `confirm`. */
  interactive: boolean;
  force?: boolean;
  withoutSubscriberFields?: boolean;
  state: StateLocation;
  env: NodeJS.ProcessEnv;
  /** Milliseconds between track.get calls (default: the campaign's). */
  pollIntervalMs?: number;
}

/** What `--dry-run` reports: the one issue.send that would go, not sent. */
export interface CampaignDryRun {
  dryRun: true;
  issue: string;
  subject: string;
  /** The list it would go to: for an issue with `topic:`, its topic's (src/campaign/topic-list.ts). */
  groupId: string;
  /** The issue's topic, when it chose the list; `via`: sendsay.topics (`topic`) or the issue's own list (`issue`). */
  topic?: string;
  via?: "topic" | "issue";
  login: string;
  requestBytes: number;
  emptiedFields: string[];
}

export interface CampaignHooks extends Pick<CampaignOptions, "signal" | "confirm"> {
  /** The campaign's events, with the subject and the account they are about. */
  onEvent?: (e: Parameters<NonNullable<CampaignOptions["onEvent"]>>[0], about: { subject: string; login: string }) => void;
  /** The API client's retries. */
  onRetry?: SendsayClientOptions["onEvent"];
}

const usage = (message: string, fix: string, field?: string) => new RassylkaError(error("send/usage", message, { fix, field }));

/**
 * Send an issue to a Sendsay list as one campaign: check the flags, compile, refuse a draft or a letter
 * PROScript cannot carry, then either describe the request (`dryRun`) or submit it once and follow its
 * track through the state (a second run follows, never submits again).
 */
export async function submitCampaign(
  request: CampaignSubmission,
  hooks: CampaignHooks = {},
): Promise<{ dryRun: CampaignDryRun } | { outcome: CampaignOutcome }> {
  const given = checkedGroup(request);
  const root = resolve(request.root);
  const project = await loadProject(root);
  const config = project.config.config;
  const { compiled } = await compileOrThrow(project, request.issue);
  refuseDraft(compiled, "--transport sendsay --test you@example.ru");
  const letterOptions = {
    withoutFields: request.withoutSubscriberFields,
    sources: campaignSources(root, compiled.source, project.templates),
  };
  // an issue with `topic:` goes to its topic's list, or is refused now, naming the line and the fix
  const target = campaignTarget(compiled, config, given, letterOptions.sources.find((s) => s.file === compiled.source)?.text);
  const groupId = target.groupId;
  assertCampaignable(compiled, config, letterOptions);
  const credentials = sendsayCredentials(config, request.env);

  if (request.dryRun) {
    const body = sendsayRequest(compiled, config, groupId, letterOptions);
    return {
      dryRun: {
        dryRun: true,
        issue: compiled.source,
        subject: body.letter.subject,
        groupId,
        ...(target.via !== "given" ? { topic: target.topic, via: target.via } : {}),
        login: credentials.login,
        requestBytes: Buffer.byteLength(JSON.stringify(body)),
        emptiedFields: request.withoutSubscriberFields ? readerFields(compiled) : [],
      },
    };
  }
  if (!request.yes && !request.interactive)
    throw usage(
      "a real send needs confirmation, and this is not a terminal",
      "add --yes to send without asking (or --dry-run to try it first)",
      "--yes",
    );
  const client = new SendsayClient({ ...credentials, onEvent: hooks.onRetry });
  const about = { subject: compiled.subject, login: client.login };
  const outcome = await sendCampaign(request.state, {
    client,
    compiled,
    config,
    groupId,
    force: request.force,
    withoutFields: request.withoutSubscriberFields,
    sources: letterOptions.sources,
    signal: hooks.signal,
    pollIntervalMs: request.pollIntervalMs,
    onEvent: (e) => hooks.onEvent?.(e, about),
    confirm: request.yes ? undefined : hooks.confirm,
  });
  return { outcome };
}

/** `--group` goes with `--transport sendsay` and names a list; not with `--to` or `--test`. */
function checkedGroup(request: CampaignSubmission): string {
  const groupId = request.group?.trim();
  if (request.transport !== "sendsay")
    throw usage("--group is for Sendsay lists", "add --transport sendsay, or leave out --group and give readers with --to", "--group");
  if (!groupId)
    throw usage("--group needs the id of a Sendsay list", "pass --group <list id> as it is shown in the Sendsay account", "--group");
  if (request.to)
    throw usage(
      "--group and --to together",
      "--group sends to a Sendsay list; --to sends personal letters to a CSV list: choose one",
      "--to",
    );
  if (request.test)
    throw usage(
      "--test with --group",
      "send test copies as personal letters: --transport sendsay --test you@example.ru (without --group)",
      "--test",
    );
  return groupId;
}

/** The issue's file and the templates: where a tag that cannot become PROScript is looked up for its line. */
function campaignSources(root: string, issueFile: string, templates: TemplateSet): SourceFile[] {
  const sources: SourceFile[] = [];
  try {
    sources.push({ file: issueFile, text: readFileSync(join(root, issueFile), "utf8") });
  } catch {
    // compiled from the cache of a file gone since: the message names the issue without a line
  }
  for (const t of [...templates.layouts.values(), ...templates.partials.values()]) sources.push({ file: t.file, text: t.source });
  return sources;
}
