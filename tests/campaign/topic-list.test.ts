import { describe, expect, it } from "vitest";
import { campaignTarget, topicListFindings } from "../../src/campaign/topic-list.js";
import { parseConfig } from "../../src/config/load.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { setLanguage } from "../../src/i18n/index.js";

const FILE = "issues/2026-12-08-treningi.md";
const TEXT = "---\ntitle: Тренинг\ndate: 2026-12-08\ntopic: treningi\n---\nТекст.\n";
const config = { sendsay: { topics: { treningi: "pl7" } } };

describe("which Sendsay list a campaign of an issue goes to", () => {
  it.each([
    ["no topic: the list given", {}, config, { groupId: "pl1", via: "given" }],
    ["a mapped topic: its list, not the one given", { topic: "treningi" }, config, { groupId: "pl7", topic: "treningi", via: "topic" }],
    [
      "the issue's own list wins over the topic's",
      { topic: "treningi", audience: { sendsay: "pl12" } },
      config,
      { groupId: "pl12", topic: "treningi", via: "issue" },
    ],
    [
      "the issue's own list for a topic without one",
      { topic: "vopros-otvet", audience: { sendsay: "pl12" } },
      config,
      { groupId: "pl12", topic: "vopros-otvet", via: "issue" },
    ],
    [
      "no topic: the front-matter list is the schedule's, --group stays",
      { audience: { sendsay: "pl12" } },
      config,
      { groupId: "pl1", via: "given" },
    ],
  ])("%s", (_, issue, cfg, want) => {
    expect(campaignTarget({ source: FILE, ...issue }, cfg, "pl1", TEXT)).toEqual(want);
  });

  it("refuses a topic without a list, naming the file, the line of topic:, the field and the fix, in ru and en", () => {
    for (const [lang, words, fix] of [
      ["en", "topic «vopros-otvet» has no Sendsay list", "add `vopros-otvet: <list id>` under sendsay.topics"],
      [
        "ru",
        "у темы «vopros-otvet» нет списка в Sendsay",
        "добавьте в newsletter.yaml в sendsay.topics строку `vopros-otvet: <код списка>`",
      ],
    ] as const) {
      setLanguage(lang);
      try {
        campaignTarget({ source: FILE, topic: "vopros-otvet" }, config, "pl1", TEXT.replace("treningi", "vopros-otvet"));
        expect.unreachable("an unmapped topic must be refused");
      } catch (error) {
        if (!isRassylkaError(error)) throw error;
        expect(error.diagnostics).toEqual([
          expect.objectContaining({ ruleId: "sendsay/unmapped-topic", severity: "error", file: FILE, line: 4, field: "topic" }),
        ]);
        expect(error.diagnostics[0].message).toContain(words);
        expect(error.diagnostics[0].fix).toContain(fix);
      } finally {
        setLanguage("en");
      }
    }
  });

  it("lint: the same words as a warning while sendsay.topics is set; another list of the issue's own is a warning too", () => {
    expect(topicListFindings({ source: FILE, topic: "vopros-otvet" }, config)).toEqual([
      expect.objectContaining({ ruleId: "sendsay/unmapped-topic", severity: "warning", field: "topic" }),
    ]);
    const other = topicListFindings({ source: FILE, topic: "treningi", audience: { sendsay: "pl12" } }, config);
    expect(other).toEqual([expect.objectContaining({ ruleId: "sendsay/topic-list", severity: "warning", field: "audience" })]);
    expect(other[0].message).toContain("«pl12»");
    expect(other[0].message).toContain("«pl7»");
    // nothing to say: a mapped topic, the topic's own list, or a newsletter that maps no topics
    expect(topicListFindings({ source: FILE, topic: "treningi" }, config)).toEqual([]);
    expect(topicListFindings({ source: FILE, topic: "treningi", audience: { sendsay: "pl7" } }, config)).toEqual([]);
    expect(topicListFindings({ source: FILE, topic: "vopros-otvet" }, {})).toEqual([]);
  });
});

describe("newsletter.yaml: sendsay.topics", () => {
  const BASE = "name: N\nfrom:\n  name: A\n  email: a@example.org\ntopics:\n  - id: treningi\n    title: Тренинги\n";
  it("maps a topic of topics: to a list (a number becomes the id's text)", () => {
    const r = parseConfig(`${BASE}sendsay:\n  topics:\n    treningi: 7\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.sendsay?.topics).toEqual({ treningi: "7" });
  });

  it("a key that is not a topic is an error at its line, with the known ids in the fix", () => {
    const r = parseConfig(`${BASE}sendsay:\n  topics:\n    treningi: pl7\n    trenigni: pl8\n`);
    expect(r.config).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", file: "newsletter.yaml", line: 11, field: "sendsay.topics.trenigni" }),
    ]);
    expect(r.diagnostics[0].message).toContain("«trenigni»");
    expect(r.diagnostics[0].fix).toContain("treningi");
  });
});
