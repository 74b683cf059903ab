// The reader, enhanced: every piece of a finding lights up together, a click on a
// highlight opens its entry in the side panel, and j / k step through the findings.
// Reading needs none of it: panel entries link to their spans without JavaScript.
"use strict";

(() => {
  const article = document.querySelector(".article");
  if (!article) {
    return;
  }
  const spans = Array.from(article.querySelectorAll("mark.hl[id]")); // one per finding, text order

  const select = (finding) => {
    for (const el of document.querySelectorAll(".current")) {
      el.classList.remove("current");
    }
    if (!finding) {
      return null;
    }
    for (const el of document.querySelectorAll(`[data-finding="${CSS.escape(finding)}"]`)) {
      el.classList.add("current");
    }
    return document.getElementById(`f-${finding}`);
  };

  const openEntry = (finding) => {
    const entry = select(finding);
    if (entry) {
      entry.scrollIntoView({ block: "nearest" });
      (entry.querySelector("a.speaker") ?? entry.querySelector("a"))?.focus({ preventScroll: true });
    }
  };

  const fromHash = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    select(id.startsWith("f-") ? id.slice(2) : id);
  };

  article.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-finding]");
    if (mark) {
      openEntry(mark.dataset.finding);
    }
  });

  article.addEventListener("keydown", (event) => {
    const mark = event.target.closest("mark[data-finding]");
    if (mark && event.key === "Enter") {
      openEntry(mark.dataset.finding);
    }
  });

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing || event.altKey || event.ctrlKey || event.metaKey || spans.length === 0) {
      return;
    }
    if (event.key === "Escape") {
      select(null);
      return;
    }
    if (event.key !== "j" && event.key !== "k") {
      return;
    }
    const at = spans.findIndex((el) => el.classList.contains("current"));
    const step = event.key === "j" ? 1 : -1;
    const next = spans[at < 0 ? (step > 0 ? 0 : spans.length - 1) : (at + step + spans.length) % spans.length];
    history.replaceState(null, "", `#${next.id}`);
    select(next.id);
    next.focus();
  });

  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
