import type { Command } from "commander";
import { t } from "../i18n/index.js";
import { pollResults } from "../polls/results.js";
import type { Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

/** `rassylka poll results [<issue>] [--json]` (src/polls/results.ts does the work; docs/polls.md). */
interface PollFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export function registerPoll(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("poll").description(t("cli:command.poll"));
  cmd
    .command("results")
    .description(t("cli:poll.results"))
    .argument("[issue]", t("cli:poll.issueArg"))
    .option("--state <file|url>", t("cli:poll.stateFlag"))
    .option("--root <dir>", t("cli:poll.rootFlag"), ".")
    .option("--json", t("cli:poll.jsonFlag"))
    .action(async (issue: string | undefined, flags: PollFlags) => {
      const results = await pollResults(stateFromFlags(flags), flags.root, issue);
      if (flags.json) {
        io.out(JSON.stringify(results, null, 2));
        return setCode(0);
      }
      if (!results.length) io.out(t("polls:cliNone", { where: issue ? ` (${issue})` : "" }));
      for (const r of results) {
        const top = Math.max(1, ...r.answers.map((a) => a.votes));
        io.out(`${r.question}  [${r.poll}, ${r.issue}${r.closed ? `, ${t("polls:cliClosed")}` : ""}]`);
        for (const a of r.answers) {
          const bar = "█".repeat(Math.round((a.votes / top) * 20));
          io.out(`  ${a.text}  ${bar} ${t("polls:votes", { count: a.votes })}`);
        }
        io.out(`  ${r.voters ? t("polls:voters", { count: r.voters }) : t("polls:noVotes")}`);
      }
      setCode(0);
    });
}
