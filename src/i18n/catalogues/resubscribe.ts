import type { Catalogue } from "./types.js";

/** `rassylka subscribers import|add --confirmed`: readers who said no are not confirmed by a list (src/cli/subscribers.ts). */
export const resubscribe: Catalogue = {
  en: {
    flag: "with --confirmed: how the readers who unsubscribed agreed again (recorded as their consent source); confirms them too",
    keptUnsubscribed: "warning: not confirmed (they unsubscribed): {{where}}{{address}}",
    keptSuppressed: "warning: not confirmed (on the suppression list: bounced, complained or suppressed by hand): {{where}}{{address}}",
    summary_one:
      '{{count}} reader was not confirmed because they unsubscribed or are suppressed; if they agreed again, re-run with --resubscribe "how they agreed" (a bounce or complaint: rassylka suppress remove first).',
    summary_other:
      '{{count}} readers were not confirmed because they unsubscribed or are suppressed; if they agreed again, re-run with --resubscribe "how they agreed" (a bounce or complaint: rassylka suppress remove first).',
    resubscribed_one: "{{count}} reader who had unsubscribed is confirmed again (--resubscribe: {{source}}).",
    resubscribed_other: "{{count}} readers who had unsubscribed are confirmed again (--resubscribe: {{source}}).",
    needsSource: "--resubscribe needs the way the readers agreed again",
    needsSourceFix: 'write it after the flag, e.g. --resubscribe "asked again by phone, December 2026"',
  },
  ru: {
    flag: "вместе с --confirmed: как отписавшиеся читатели снова дали согласие (записывается как источник согласия); подтверждает и их",
    keptUnsubscribed: "внимание: не подтверждён (читатель отписался): {{where}}{{address}}",
    keptSuppressed: "внимание: не подтверждён (адрес в стоп-листе: недоставка, жалоба или добавлен вручную): {{where}}{{address}}",
    summary_one:
      '{{count}} читатель не подтверждён, потому что отписался или находится в стоп-листе; если он снова дал согласие, запустите ещё раз с --resubscribe "как было получено согласие" (при недоставке или жалобе сначала rassylka suppress remove).',
    summary_few:
      '{{count}} читателя не подтверждены, потому что отписались или находятся в стоп-листе; если они снова дали согласие, запустите ещё раз с --resubscribe "как было получено согласие" (при недоставке или жалобе сначала rassylka suppress remove).',
    summary_many:
      '{{count}} читателей не подтверждены, потому что отписались или находятся в стоп-листе; если они снова дали согласие, запустите ещё раз с --resubscribe "как было получено согласие" (при недоставке или жалобе сначала rassylka suppress remove).',
    summary_other:
      '{{count}} читателя не подтверждены, потому что отписались или находятся в стоп-листе; если они снова дали согласие, запустите ещё раз с --resubscribe "как было получено согласие" (при недоставке или жалобе сначала rassylka suppress remove).',
    resubscribed_one: "{{count}} отписавшийся читатель снова подтверждён (--resubscribe: {{source}}).",
    resubscribed_few: "{{count}} отписавшихся читателя снова подтверждены (--resubscribe: {{source}}).",
    resubscribed_many: "{{count}} отписавшихся читателей снова подтверждены (--resubscribe: {{source}}).",
    resubscribed_other: "{{count}} отписавшегося читателя снова подтверждены (--resubscribe: {{source}}).",
    needsSource: "для --resubscribe нужно указать, как читатели снова дали согласие",
    needsSourceFix: 'напишите это после флага, например --resubscribe "повторно спросили по телефону, декабрь 2026"',
  },
  uk: {
    flag: "разом із --confirmed: як читачі, що відписалися, знову дали згоду (записується як джерело згоди); підтверджує і їх",
    keptUnsubscribed: "увага: не підтверджено (читач відписався): {{where}}{{address}}",
    keptSuppressed: "увага: не підтверджено (адреса у стоп-листі: недоставка, скарга або додано вручну): {{where}}{{address}}",
    summary_one:
      '{{count}} читача не підтверджено, бо він відписався або є у стоп-листі; якщо він знову дав згоду, запустіть ще раз із --resubscribe "як отримано згоду" (при недоставці чи скарзі спершу rassylka suppress remove).',
    summary_few:
      '{{count}} читачів не підтверджено, бо вони відписалися або є у стоп-листі; якщо вони знову дали згоду, запустіть ще раз із --resubscribe "як отримано згоду" (при недоставці чи скарзі спершу rassylka suppress remove).',
    summary_many:
      '{{count}} читачів не підтверджено, бо вони відписалися або є у стоп-листі; якщо вони знову дали згоду, запустіть ще раз із --resubscribe "як отримано згоду" (при недоставці чи скарзі спершу rassylka suppress remove).',
    summary_other:
      '{{count}} читача не підтверджено, бо вони відписалися або є у стоп-листі; якщо вони знову дали згоду, запустіть ще раз із --resubscribe "як отримано згоду" (при недоставці чи скарзі спершу rassylka suppress remove).',
    resubscribed_one: "{{count}} читача, що відписався, знову підтверджено (--resubscribe: {{source}}).",
    resubscribed_few: "{{count}} читачів, що відписалися, знову підтверджено (--resubscribe: {{source}}).",
    resubscribed_many: "{{count}} читачів, що відписалися, знову підтверджено (--resubscribe: {{source}}).",
    resubscribed_other: "{{count}} читача, що відписалися, знову підтверджено (--resubscribe: {{source}}).",
    needsSource: "для --resubscribe треба вказати, як читачі знову дали згоду",
    needsSourceFix: 'напишіть це після прапорця, наприклад --resubscribe "повторно запитали телефоном, грудень 2026"',
  },
};
