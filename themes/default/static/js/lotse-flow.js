// Lotse guided troubleshooting: turns the flow's nested list (every step with its "Ja"/"Nein"
// answers, readable without JavaScript) into one step at a time, with "Ja"/"Nein" buttons, a way
// back, the path so far and its own address per step (#schritt-4), so that a technician on the
// phone can say "go to step 4". At an end that did not help, "Problem melden" opens the ticket
// form with the steps tried and their answers in the description.
//
// Dependency-free and without inline code, for a strict Content-Security-Policy. The pure
// functions at the top are unit-tested in node (tests/browser/flow.test.mjs).
(function () {
  "use strict";

  /** The path after answering `answer` ("yes" or "no") at step `step`: a new array. */
  function advance(path, step, answer) {
    return path.concat([{ step: step, answer: answer }]);
  }

  /**
   * The path when the page shows `target`: cut before the entry of `target` when it was answered
   * earlier (the browser's back button, a click in the path), kept when `target` is where the
   * last answer led (`expected`), and empty when the step was opened by its own link.
   */
  function pathFor(path, target, expected) {
    for (var i = 0; i < path.length; i++) {
      if (path[i].step === target) return path.slice(0, i);
    }
    return target === expected ? path : [];
  }

  /** The id a location hash names, decoded; "" for none or a malformed one. */
  function idFromHash(hash) {
    try { return decodeURIComponent(String(hash || "").replace(/^#/, "")); } catch (e) { return ""; }
  }

  /** The id of the step a location hash names, if it is one of `ids`; else the first step. */
  function stepFromHash(hash, ids) {
    var id = idFromHash(hash);
    return ids.indexOf(id) >= 0 ? id : ids[0];
  }

  /**
   * The ticket description: a heading line, then one line per answered step,
   * "Schritt 2: Ist der richtige Eingang gewählt? – Nein". `questions` maps step ids to
   * { number, text }; `labels` has yes, no and step.
   */
  function ticketDescription(intro, title, path, questions, labels) {
    var lines = [intro + " („" + title + "“):"];
    path.forEach(function (entry) {
      var q = questions[entry.step] || { number: "?", text: entry.step };
      lines.push("- " + labels.step + " " + q.number + ": " + q.text + " – " + (entry.answer === "yes" ? labels.yes : labels.no));
    });
    return lines.join("\n");
  }

  /** `href` (the ticket form's link, with a query already) with `description` and `step` added. */
  function ticketLink(href, description, step) {
    return href + "&description=" + encodeURIComponent(description) + (step ? "&step=" + encodeURIComponent(step) : "");
  }

  var api = { advance: advance, pathFor: pathFor, stepFromHash: stepFromHash, ticketDescription: ticketDescription, ticketLink: ticketLink };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api; // node --test
    return;
  }

  // ---- the page ------------------------------------------------------------------------------------

  var section = document.querySelector("[data-flow]");
  if (!section) return;
  var label = function (name) { return section.getAttribute("data-label-" + name) || ""; };
  var labels = { yes: label("yes"), no: label("no"), step: label("step") };
  var steps = Array.prototype.slice.call(section.querySelectorAll(".flow-step"));
  var ids = steps.map(function (s) { return s.id; });
  var ends = { solved: section.querySelector('[data-end="solved"]'), report: section.querySelector('[data-end="report"]') };
  var questions = {};
  steps.forEach(function (s) {
    questions[s.id] = {
      number: s.querySelector(".flow-number").textContent.replace(/^\D+/, ""),
      text: s.querySelector(".flow-question-text").textContent.trim()
    };
  });
  var title = (document.querySelector("h1") || document.createElement("h1")).textContent.trim();
  var path = [];
  var current = null; // a step id, "solved" or "report"
  var expected = null; // where the last answer led

  // The controls: the path so far, the way back, and a live region that announces each step.
  var nav = document.createElement("div");
  nav.className = "flow-nav";
  var pathBox = nav.appendChild(document.createElement("nav"));
  pathBox.className = "flow-path";
  pathBox.setAttribute("aria-label", label("path"));
  var pathTitle = pathBox.appendChild(document.createElement("p"));
  pathTitle.className = "flow-path-title";
  pathTitle.textContent = label("path");
  var pathList = pathBox.appendChild(document.createElement("ol"));
  var back = nav.appendChild(document.createElement("button"));
  back.type = "button";
  back.className = "button flow-back";
  back.textContent = label("back");
  var restart = nav.appendChild(document.createElement("button"));
  restart.type = "button";
  restart.className = "button button-quiet flow-restart";
  restart.textContent = label("restart");
  var live = section.appendChild(document.createElement("p"));
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  section.insertBefore(nav, section.firstChild);
  section.classList.add("flow--interactive");

  // "Ja" and "Nein" as buttons in every step; the answer list stays for what it says.
  steps.forEach(function (s) {
    var buttons = document.createElement("div");
    buttons.className = "flow-buttons";
    Array.prototype.forEach.call(s.querySelectorAll("[data-answer]"), function (answer) {
      var button = buttons.appendChild(document.createElement("button"));
      button.type = "button";
      button.className = "button flow-button flow-button-" + answer.getAttribute("data-answer");
      button.textContent = answer.getAttribute("data-answer") === "yes" ? labels.yes : labels.no;
      button.addEventListener("click", function () { choose(s.id, answer.getAttribute("data-answer"), answer.getAttribute("data-target")); });
    });
    s.querySelector(".flow-answers").hidden = true;
    s.appendChild(buttons);
  });

  function choose(step, answer, target) {
    path = advance(path, step, answer);
    expected = target;
    if (ids.indexOf(target) >= 0) {
      location.hash = "#" + target; // a history entry per step: the browser's back button works too
    } else {
      history.replaceState(history.state, "", location.pathname + location.search + "#" + step);
      show(target, true);
    }
  }

  function renderPath() {
    pathList.textContent = "";
    path.forEach(function (entry) {
      var item = pathList.appendChild(document.createElement("li"));
      var link = item.appendChild(document.createElement("a"));
      link.href = "#" + entry.step;
      var q = questions[entry.step];
      link.textContent = labels.step + " " + q.number + ": " + q.text;
      item.appendChild(document.createTextNode(" – " + (entry.answer === "yes" ? labels.yes : labels.no)));
    });
    pathBox.hidden = path.length === 0;
    back.hidden = path.length === 0;
    restart.hidden = path.length === 0;
  }

  function show(target, moveFocus) {
    current = target;
    steps.forEach(function (s) { s.hidden = s.id !== target; });
    ends.solved.hidden = target !== "solved";
    ends.report.hidden = target !== "report";
    var report = ends.report.querySelector("[data-flow-report]");
    var ticket = section.getAttribute("data-ticket");
    if (report && ticket) {
      var last = path.length ? questions[path[path.length - 1].step] : null;
      var description = ticketDescription(section.getAttribute("data-ticket-intro"), title, path, questions, labels);
      report.href = ticketLink(ticket, description, last ? labels.step + " " + last.number + ": " + last.text : "");
    }
    renderPath();
    var shown = ids.indexOf(target) >= 0 ? document.getElementById(target) : ends[target];
    live.textContent = ids.indexOf(target) >= 0
      ? labels.step + " " + questions[target].number + ": " + questions[target].text
      : shown.textContent.trim().split("\n")[0];
    if (moveFocus) shown.focus();
  }

  back.addEventListener("click", function () {
    if (!path.length) return;
    var previous = path[path.length - 1].step;
    if (ids.indexOf(current) < 0) { // an end has no address of its own: its step's is current
      path = path.slice(0, -1);
      show(previous, true);
    } else {
      history.back(); // every answer made a history entry, so back is the step before
    }
  });

  restart.addEventListener("click", function () {
    path = [];
    expected = ids[0];
    if (location.hash === "#" + ids[0]) show(ids[0], true);
    else location.hash = "#" + ids[0];
  });

  window.addEventListener("hashchange", function () {
    var hash = idFromHash(location.hash);
    if (hash && ids.indexOf(hash) < 0) return; // a link to a heading of the article
    var target = hash || ids[0]; // back to the page as first opened
    // Back from a link inside the step (to a heading of the article) keeps the path, too.
    path = pathFor(path, target, expected || current);
    expected = null;
    show(target, true);
  });

  var start = stepFromHash(location.hash, ids);
  show(start, ids.indexOf(idFromHash(location.hash)) >= 0);
})();
