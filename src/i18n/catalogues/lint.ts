import type { Catalogue } from "./types.js";

/** Findings of the lint rules that speak through the catalogue (message and fix). */
export const lint: Catalogue = {
  en: {
    placeholder: "{{field}} is still the placeholder {{value}} that `rassylka init` wrote ({{host}} is nobody's newsletter)",
    placeholderFix: "put your newsletter's own address into {{field}} in newsletter.yaml",
  },
  ru: {
    placeholder: "в {{field}} всё ещё заглушка {{value}}, которую записал `rassylka init` ({{host}} — не адрес вашей рассылки)",
    placeholderFix: "впишите в {{field}} в newsletter.yaml настоящий адрес вашей рассылки",
  },
  uk: {
    placeholder: "у {{field}} досі заглушка {{value}}, яку записав `rassylka init` ({{host}} — не адреса вашої розсилки)",
    placeholderFix: "впишіть у {{field}} у newsletter.yaml справжню адресу вашої розсилки",
  },
};
