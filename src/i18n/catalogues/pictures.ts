import type { Catalogue } from "./types.js";

/** Pictures next to the issues (src/render/images.ts): published by `build`, checked by `lint`. */
export const pictures: Catalogue = {
  en: {
    missing: 'picture "{{src}}" not found: there is no {{path}}',
    "missing.fix": "put the file there (issues/images/ or assets/), or correct the path; it is relative to the issue's folder",
    outside: 'picture "{{src}}" is outside the newsletter\'s folder',
    "outside.fix": "copy the picture into the newsletter (issues/images/ or assets/) and link it from there",
    noUrl: 'picture "{{src}}" needs the archive\'s public address: an email can only show a picture from the web',
    "noUrl.fix": "set url in newsletter.yaml (e.g. url: https://news.example.ru); build publishes pictures under <url>/assets/",
    large: 'picture "{{src}}" is {{kb}} KB (over 200 KB): slow on a phone, and some clients do not load it',
    "large.fix": "resize it to the width it is shown at (600 px for the email, 1200 px for sharp screens) and compress it",
  },
  ru: {
    missing: "картинка «{{src}}» не найдена: файла {{path}} нет",
    "missing.fix": "положите файл туда (issues/images/ или assets/) или исправьте путь: он считается от папки выпуска",
    outside: "картинка «{{src}}» лежит вне папки рассылки",
    "outside.fix": "скопируйте картинку в рассылку (issues/images/ или assets/) и сошлитесь на неё оттуда",
    noUrl: "для картинки «{{src}}» нужен публичный адрес архива: письмо показывает картинки только из интернета",
    "noUrl.fix": "укажите url в newsletter.yaml (например, url: https://news.example.ru); build публикует картинки в <url>/assets/",
    large: "картинка «{{src}}» весит {{kb}} КБ (больше 200 КБ): медленно на телефоне, а часть почтовых программ её не загрузит",
    "large.fix": "уменьшите её до ширины, в которой она показана (600 px для письма, 1200 px для чётких экранов), и сожмите",
  },
  uk: {
    missing: "зображення «{{src}}» не знайдено: файлу {{path}} немає",
    "missing.fix": "покладіть файл туди (issues/images/ або assets/) або виправте шлях: він рахується від теки випуску",
    outside: "зображення «{{src}}» лежить поза текою розсилки",
    "outside.fix": "скопіюйте зображення в розсилку (issues/images/ або assets/) і посилайтеся на нього звідти",
    noUrl: "для зображення «{{src}}» потрібна публічна адреса архіву: лист показує зображення лише з інтернету",
    "noUrl.fix": "вкажіть url у newsletter.yaml (наприклад, url: https://news.example.ru); build публікує зображення в <url>/assets/",
    large: "зображення «{{src}}» важить {{kb}} КБ (понад 200 КБ): повільно на телефоні, а частина поштових програм його не завантажить",
    "large.fix": "зменште його до ширини, в якій воно показане (600 px для листа, 1200 px для чітких екранів), і стисніть",
  },
};
