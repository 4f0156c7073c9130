// The knowledge slider: each step asks the server for the page as known then, swaps the results in
// without a reload, and writes known_at into the URL so that every state is a permalink.
(() => {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");
  const slider = document.getElementById("known-at");
  const stepsElement = document.getElementById("knowledge-steps");
  if (!slider || !stepsElement) return;
  const steps = JSON.parse(stepsElement.textContent);
  const asOf = document.getElementById("as-of");
  const count = document.getElementById("count");
  const label = document.getElementById("known-at-label");
  const failure = document.getElementById("slider-error");
  const knownAtField = document.querySelector("#filters [name=known_at]");
  const recordedAt = asOf.dataset.recordedAt; // steps are the entries recorded by then: stay there
  let inFlight = null;
  let timer = null;

  const human = (text) => {
    const moment = new Date(text);
    const day = moment.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
    const hour = moment.toISOString().slice(11, 16);
    return `${day}, ${hour} UTC`;
  };

  const showStep = () => {
    const text = human(steps[slider.value]);
    label.textContent = text;
    slider.setAttribute("aria-valuetext", text);
  };

  const load = async () => {
    const knownAt = steps[slider.value];
    const address = new URL(window.location.href);
    address.searchParams.set("known_at", knownAt);
    address.searchParams.delete("cursor"); // a cursor pins its own knowledge time
    window.history.replaceState(null, "", address);
    if (knownAtField) knownAtField.value = knownAt;
    const query = new URLSearchParams(address.search);
    query.set("recorded_at", recordedAt);
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const response = await fetch(`/timeline/results?${query}`, { signal: inFlight.signal });
      const text = await response.text();
      const holder = document.createElement("template");
      holder.innerHTML = text;
      if (!response.ok) {
        const problem = holder.content.querySelector(".problem");
        failure.textContent = problem ? problem.textContent : `The server answered ${response.status}`;
        failure.hidden = false;
        return;
      }
      failure.hidden = true;
      const fresh = holder.content.getElementById("results");
      document.getElementById("results").replaceWith(fresh);
      asOf.dataset.knownAt = fresh.dataset.knownAt;
      asOf.dataset.recordedAt = fresh.dataset.recordedAt;
      const shown = asOf.querySelector(".known-at");
      shown.textContent = fresh.dataset.label;
      shown.setAttribute("datetime", fresh.dataset.knownAt);
      count.textContent = `${fresh.dataset.count} events shown`;
      document.title = `As known on ${fresh.dataset.label} · Ceasefire Timeline`;
    } catch (error) {
      if (error.name !== "AbortError") {
        failure.textContent = "The timeline could not be updated; check the connection and move the slider again.";
        failure.hidden = false;
      }
    }
  };

  // The list and the drawing point at each other: an item in focus or under the pointer lights its bar.
  const light = (event, on) => {
    const item = event.target.closest && event.target.closest("li[data-event-id]");
    if (!item) return;
    const bar = document.querySelector(`#chart rect[data-event-id="${item.dataset.eventId}"]`);
    if (bar) bar.classList.toggle("lit", on);
  };
  for (const [type, on] of [["focusin", true], ["focusout", false], ["mouseover", true], ["mouseout", false]]) {
    document.addEventListener(type, (event) => light(event, on));
  }

  slider.addEventListener("input", () => {
    showStep();
    clearTimeout(timer);
    timer = setTimeout(load, 30); // dragging: ask once the hand pauses, not for every pixel
  });
  slider.addEventListener("change", () => {
    clearTimeout(timer);
    load();
  });
})();
