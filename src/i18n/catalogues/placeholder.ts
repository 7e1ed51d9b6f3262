import type { Catalogue } from "./types.js";

/** lint/placeholder: the addresses `rassylka init` could not know, still in newsletter.yaml. */
export const placeholder: Catalogue = {
  en: {
    message: "{{field}} is still the placeholder {{value}} that `rassylka init` wrote ({{host}} is nobody's newsletter)",
    fix: "put your newsletter's own address into {{field}} in newsletter.yaml",
  },
  ru: {
    message: "в {{field}} всё ещё заглушка {{value}}, которую записал `rassylka init` ({{host}} — не адрес вашей рассылки)",
    fix: "впишите в {{field}} в newsletter.yaml настоящий адрес вашей рассылки",
  },
  uk: {
    message: "у {{field}} досі заглушка {{value}}, яку записав `rassylka init` ({{host}} — не адреса вашої розсилки)",
    fix: "впишіть у {{field}} у newsletter.yaml справжню адресу вашої розсилки",
  },
};
