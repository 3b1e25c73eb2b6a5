// Live progress of an audit run (progressive enhancement of /audits/:id). Without script the page
// reloads itself (a meta refresh inside <noscript>); with script it follows the run's server-sent
// events (GET /audits/:id/events), shows each phase, and reloads once the run ends to show the report.
// If the stream cannot be opened (refused, cut, or no EventSource), it reloads every few seconds,
// exactly like the no-script page. External file: the CSP allows no inline script.
(() => {
  const state = document.querySelector("[data-events]");
  if (!state) return;
  const seconds = Number(state.getAttribute("data-reload-seconds")) || 3;
  const reloadSoon = () => window.setTimeout(() => window.location.reload(), seconds * 1000);
  if (typeof window.EventSource !== "function") {
    reloadSoon();
    return;
  }
  const label = state.querySelector(".run-label");
  const hint = document.querySelector(".run-hint");
  const source = new EventSource(state.getAttribute("data-events"));
  let ended = false;
  source.addEventListener("open", () => {
    state.setAttribute("data-live", "on");
    const live = hint?.getAttribute("data-live-text");
    if (hint && live) hint.textContent = live;
  });
  source.addEventListener("progress", (event) => {
    const data = JSON.parse(event.data);
    if (label && typeof data.label === "string") label.textContent = data.label;
    if (typeof data.phase === "string") state.setAttribute("data-phase", data.phase);
  });
  source.addEventListener("end", () => {
    ended = true;
    source.close();
    window.location.reload();
  });
  source.addEventListener("error", () => {
    if (ended) return;
    source.close();
    state.setAttribute("data-live", "off");
    reloadSoon();
  });
})();
