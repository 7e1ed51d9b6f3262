// The archive page's search box (rassylka, docs/search.md): results as the reader types, from the static
// Pagefind index beside this file (pagefind/), filtered by rubric. No server takes part: every request is
// for a file the build wrote. Plain JavaScript, served as it is; its words come from the page
// (data-words, written in the newsletter's language by the build).

const box = document.querySelector(".rsk-search");
if (box) start(box);

function start(box) {
  const words = JSON.parse(box.dataset.words);
  const form = box.querySelector("form");
  const input = box.querySelector("input[type=search]");
  const status = box.querySelector("[role=status]");
  const list = box.querySelector("ol");
  const rubrics = [...box.querySelectorAll("input[name=rubric]")];
  const plural = new Intl.PluralRules(words.lang);
  let engine;
  let seq = 0;

  // Pagefind (its script and worker, the language's WebAssembly, the index's metadata) is loaded at the first
  // sign that the reader is about to search — the pointer over the form, a touch on it, the focus in it — not
  // with the page: a reader who never searches downloads none of it (docs/search.md). A reader reaches the
  // box before typing, so by the time a word is typed Pagefind is ready (docs/performance.md).
  const load = () => {
    engine ??= (async () => {
      const [pagefind, stemmer] = await Promise.all([
        import("./pagefind/pagefind.js"),
        words.stemmer ? import(`./${words.stemmer}`) : undefined,
      ]);
      await pagefind.options({ excerptLength: 24 });
      await pagefind.init();
      // init() only starts Pagefind's worker; an empty preload returns once the WebAssembly and the index's
      // metadata are in, and fetches no index chunk (the rubrics' filter index waits until a rubric is ticked)
      await pagefind.preload("", {});
      box.dataset.ready = "1";
      return { pagefind, stem: stemmer ? stemmer.stemmer : (w) => w };
    })();
    return engine;
  };
  const warm = () => {
    load().catch(() => {});
  };

  // The query's words stemmed as the build's notes say (records.ts: Pagefind prefix-matches what it indexed).
  const queryOf = (text, stem) =>
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .map((w) => stem(w))
      .join(" ");

  // A word lower-cased, without accents, in its parts: as query.ts's wordParts.
  const wordParts = (word) => {
    const parts = word
      .toLowerCase()
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    return [...parts, parts.join("")];
  };
  // Pagefind falls back to a shorter indexed word («в») when none starts with the query's: see query.ts's matchesEveryTerm.
  const matchesEveryTerm = (data, terms) => {
    const words = (data.raw_content ?? data.content).split(/\s+/);
    const matched = data.locations.flatMap((i) => wordParts(words[i] ?? ""));
    return terms.every((t) => matched.some((w) => w.startsWith(wordParts(t).at(-1) ?? "")));
  };

  const say = (text) => {
    status.textContent = text;
  };
  const foundText = (n) => (words.found[plural.select(n)] ?? words.found.other).replace("{{count}}", String(n));

  // The excerpt is HTML with only <mark> as markup (Pagefind escapes the text): rebuilt as nodes, never set as HTML.
  const excerptNodes = (html) => {
    const holder = document.createElement("template");
    holder.innerHTML = html;
    return [...holder.content.childNodes].map((n) => {
      if (n.nodeName !== "MARK") return document.createTextNode(n.textContent ?? "");
      const mark = document.createElement("mark");
      mark.textContent = n.textContent;
      return mark;
    });
  };

  const item = (d) => {
    const li = document.createElement("li");
    li.className = "issue";
    const article = document.createElement("article");
    const time = document.createElement("time");
    time.dateTime = d.meta.date;
    time.textContent = d.meta.day;
    const h3 = document.createElement("h3");
    const a = document.createElement("a");
    a.href = `${d.meta.slug}.html`;
    a.textContent = d.meta.title;
    h3.append(a);
    const p = document.createElement("p");
    p.append(...excerptNodes(d.excerpt));
    article.append(time, h3, p);
    li.append(article);
    return li;
  };

  const run = async () => {
    const mine = ++seq;
    const text = input.value.trim();
    const chosen = rubrics.filter((r) => r.checked).map((r) => r.value);
    if (!text && !chosen.length) {
      list.replaceChildren();
      say("");
      return;
    }
    box.dataset.state = "searching";
    try {
      const { pagefind, stem } = await load();
      const query = text ? queryOf(text, stem) : null;
      const options = { filters: chosen.length ? { rubric: { any: chosen } } : {} };
      if (!text) options.sort = { date: "desc" }; // a rubric alone lists its issues, newest first
      if (mine !== seq) return; // typed on while Pagefind loaded: only the newest query is searched
      const found = await pagefind.search(query, options);
      if (mine !== seq) return; // a newer keystroke took over
      // Fragments (a result's title, date and text) are fetched a few at a time, and only while the query is
      // the newest: the best result's alone, on screen as soon as it comes, then the next four (and the count
      // is said), then the rest up to 20 in fives. The first result waits for no other's fragment, and a query
      // typed past fetches no more.
      const shown = found.results.slice(0, 20);
      const first = shown.length ? await shown[0].data() : undefined;
      if (mine !== seq) return;
      const hit = first && !(query && !matchesEveryTerm(first, query.split(" ")));
      list.replaceChildren(...(hit ? [item(first)] : []));
      box.dataset.query = text; // the query whose results are on screen
      if (hit) {
        if (shown.length === 1) say(foundText(found.results.length));
        for (const [from, to] of [[1, 5], [5, 10], [10, 15], [15, 20]]) {
          if (from >= shown.length) break;
          const data = await Promise.all(shown.slice(from, to).map((r) => r.data()));
          if (mine !== seq) return;
          list.append(...data.map(item));
          if (from === 1) say(foundText(found.results.length));
        }
      } else say(words.nothing);
      box.dataset.state = "done";
    } catch {
      say(words.failed);
      box.dataset.state = "failed";
    }
  };

  box.hidden = false;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  // the signs of intent, on the form (the field and the rubrics), not the whole box: each only starts the
  // loading, which runs once
  for (const type of ["pointerover", "pointerdown", "focusin"]) form.addEventListener(type, warm, { once: true });
  form.addEventListener("touchstart", warm, { once: true, passive: true });
  // The first keystroke after a pause searches at once; keystrokes that follow it closely wait until typing
  // pauses for 120 ms (a search per letter would fetch index chunks nobody looks at).
  let timer;
  let quietSince = 0;
  input.addEventListener("input", () => {
    const now = performance.now();
    clearTimeout(timer);
    if (now - quietSince > 120) run();
    else timer = setTimeout(run, 120);
    quietSince = now;
  });
  for (const r of rubrics) r.addEventListener("change", run);
  // `index.html?q=…` opens with that search (a link to results)
  const q = new URLSearchParams(location.search).get("q");
  if (q) {
    input.value = q;
    run();
  }
}
