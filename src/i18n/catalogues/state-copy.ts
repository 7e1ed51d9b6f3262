import type { Catalogue } from "./types.js";

/** `rassylka state copy` (src/state/copy.ts): refusing while a send runs. */
export const stateCopy: Catalogue = {
  en: {
    liveSend: "{{which}} {{where}} is being sent to now: issue {{issue}} by {{worker}} (pid {{pid}} on {{host}}), started {{started}}",
    liveSendFix:
      "wait until that send ends (or stop it with Ctrl-C and let its lease expire), then copy; a copy made during a send leaves its readers pending in the copy and the next send there mails them again",
    source: "the source",
    target: "the target",
  },
  ru: {
    liveSend:
      "{{which}} {{where}} сейчас используется для рассылки: выпуск {{issue}}, процесс {{worker}} (pid {{pid}} на {{host}}), начат {{started}}",
    liveSendFix:
      "дождитесь конца рассылки (или остановите её Ctrl-C и подождите, пока истечёт её аренда) и скопируйте потом: копия, снятая во время рассылки, оставляет её читателей неотправленными, и следующая рассылка оттуда пришлёт им выпуск второй раз",
    source: "источник",
    target: "получатель",
  },
  uk: {
    liveSend:
      "{{which}} {{where}} зараз використовується для розсилки: випуск {{issue}}, процес {{worker}} (pid {{pid}} на {{host}}), почато {{started}}",
    liveSendFix:
      "дочекайтеся кінця розсилки (або зупиніть її Ctrl-C і зачекайте, доки мине її оренда) і скопіюйте потім: копія, знята під час розсилки, лишає її читачів невідправленими, і наступна розсилка звідти надішле їм випуск удруге",
    source: "джерело",
    target: "ціль",
  },
};
