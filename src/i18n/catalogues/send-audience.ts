import type { Catalogue } from "./types.js";

/** A send tied to its list (src/state/ledger.ts `beginRun`): a second send of the issue to another list while it runs. */
export const sendAudience: Catalogue = {
  en: {
    otherList:
      'issue "{{issue}}" is being sent right now to another list: {{running}} (started {{started}}); this send\'s list is {{mine}}, so it was not started',
    otherListFix:
      "wait until the send to {{running}} ends (or stop it), then send to {{mine}}: readers who already got the issue are skipped; to share the running send, start it with the same list {{running}}",
  },
  ru: {
    otherList:
      "выпуск «{{issue}}» прямо сейчас рассылается по другому списку: {{running}} (начато {{started}}); у этой рассылки список {{mine}}, поэтому она не начата",
    otherListFix:
      "дождитесь конца рассылки по {{running}} (или остановите её) и запустите рассылку по {{mine}}: читатели, уже получившие выпуск, будут пропущены; чтобы помочь идущей рассылке, запустите её с тем же списком {{running}}",
  },
  uk: {
    otherList:
      "випуск «{{issue}}» просто зараз розсилається за іншим списком: {{running}} (почато {{started}}); у цієї розсилки список {{mine}}, тож її не почато",
    otherListFix:
      "дочекайтеся кінця розсилки за {{running}} (або зупиніть її) і запустіть розсилку за {{mine}}: читачів, які вже отримали випуск, буде пропущено; щоб допомогти розсилці, що йде, запустіть її з тим самим списком {{running}}",
  },
};
