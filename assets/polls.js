// The polls' live results on the web versions and the archive's polls page (rassylka, docs/polls.md):
// `serve` answers polls.json beside the pages with each poll's counts, and this fills in the bars. On a
// static host there is no polls.json and the page keeps its questions and answers. Plain JavaScript,
// served as it is; the words (vote counts in the newsletter's language) come in the JSON.

const blocks = [...document.querySelectorAll("[data-poll-results]")];
if (blocks.length) fill(blocks);

async function fill(blocks) {
  const ids = blocks.map((b) => b.dataset.pollResults);
  let results;
  try {
    const answer = await fetch(`polls.json?ids=${encodeURIComponent(ids.join(","))}`, { headers: { accept: "application/json" } });
    if (!answer.ok) return;
    results = await answer.json();
  } catch {
    return;
  }
  for (const block of blocks) {
    const poll = results.find((r) => r.poll === block.dataset.pollResults);
    if (!poll) continue;
    const top = Math.max(1, ...poll.answers.map((a) => a.votes));
    for (const [i, a] of poll.answers.entries()) {
      const row = block.querySelector(`li[data-answer="${i + 1}"]`);
      if (!row) continue;
      row.querySelector(".rsk-poll-count").textContent = `— ${a.label}`;
      row.querySelector(".rsk-poll-bar").style.width = `${Math.round((a.votes / top) * 100)}%`;
    }
    const voters = block.querySelector(".rsk-poll-voters");
    if (voters) voters.textContent = poll.votersLabel;
    block.dataset.state = "filled";
  }
}
