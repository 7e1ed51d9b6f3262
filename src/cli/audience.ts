import type { Command } from "commander";
import { countAudience } from "../audience/count.js";
import { t } from "../i18n/index.js";
import type { Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

/** `rassylka audience [<name>|<issue>] [--json]` (src/audience/count.ts does the work; docs/audiences.md). */
interface AudienceFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export function registerAudience(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("audience")
    .description(t("cli:command.audience"))
    .argument("[name|issue]", t("topics:arg.audience"))
    .option("--state <file|url>", t("cli:poll.stateFlag"))
    .option("--root <dir>", t("cli:poll.rootFlag"), ".")
    .option("--json", t("topics:flag.audienceJson"))
    .action(async (ref: string | undefined, flags: AudienceFlags) => {
      const count = await countAudience(stateFromFlags(flags), flags.root, ref);
      if (flags.json) {
        io.out(JSON.stringify(count, null, 2));
        return setCode(0);
      }
      const label = count.audience === "subscribers" ? t("topics:subscribersLabel") : count.audience;
      io.out(t("topics:reaches", { audience: label, readers: t("topics:readers", { count: count.readers }) }));
      for (const [topic, n] of Object.entries(count.byTopic))
        io.out(t("topics:byTopic", { topic, readers: t("topics:readers", { count: n }) }));
      const c = count.change;
      if (!c) io.out(t("topics:neverSent"));
      else if (c.by > 0) io.out(t("topics:changeUp", { count: c.by, at: c.at }));
      else if (c.by < 0) io.out(t("topics:changeDown", { count: -c.by, at: c.at }));
      else io.out(t("topics:changeSame", { at: c.at }));
      setCode(0);
    });
}
