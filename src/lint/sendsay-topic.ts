import { topicListFindings } from "../campaign/topic-list.js";
import { finding, frontMatterLine, type LintRule } from "./context.js";

/**
 * An issue with `topic:` in a newsletter that sends topics through Sendsay (`sendsay.topics`): a topic
 * without a Sendsay list would be refused at the campaign's send (the same words as that refusal, before
 * it), and an issue whose own list (`audience: {sendsay: <id>}`) is not its topic's goes to its own.
 */
export const sendsayTopic: LintRule = {
  id: "lint/sendsay-topic",
  check(ctx) {
    return topicListFindings(ctx.compiled, ctx.config).map((d) =>
      finding("sendsay-topic", d.severity, d.message, d.fix ?? "", {
        file: ctx.file,
        line: frontMatterLine(ctx, d.field ?? "topic"),
        field: d.field,
      }),
    );
  },
};
