// Lotse search UI: search as you type in every .search-form, the full result list on the search
// page, and marking the query's words on an article page opened from a result (?h=…).
//
// The search runs in a Web Worker (search/lotse-worker.js; its header documents the messages),
// started lazily so that pages stay light on slow school WLAN. Dependency-free, no inline code or
// styles, so it runs under `script-src 'self' 'wasm-unsafe-eval'`. Every element is built with
// createElement/textContent: queries, titles and excerpts are never parsed as HTML.
// Without JavaScript (or from file://) nothing here runs: the forms submit to search/, which lists
// every article.
(function () {
  "use strict";
  var html = document.documentElement;
  var ui = document.getElementById("lotse-search-ui"); // texts and blocks rendered by base.html
  if (!ui || !ui.content || !window.Worker || location.protocol === "file:") return;

  var ROOT = html.getAttribute("data-root") || "";
  var VERSION = encodeURIComponent(html.getAttribute("data-search-version") || "");
  var DEBOUNCE_MS = 80;
  var DROPDOWN_LIMIT = 8;
  var PAGE_LIMIT = 100;

  var worker = null;
  var ready = false;
  var failed = false;
  var nextId = 0;
  var owners = {}; // request id -> the widget (or callback) waiting for the answer
  var widgets = [];

  // ---- small helpers --------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /** A copy of one of the template's blocks (data-text="…"). */
  function block(key) {
    var node = ui.content.querySelector('[data-text="' + key + '"]');
    return node ? node.cloneNode(true) : el("p", "", key);
  }

  function text(key) {
    return block(key).textContent.replace(/\s+/g, " ").trim();
  }

  function warn(reason) {
    if (window.console && console.warn) console.warn("Lotse search:", reason);
  }

  // ---- the worker -----------------------------------------------------------------------------

  /** Creates the worker once and lets it load the index (about 2 MB, cached by the browser). */
  function start() {
    if (worker || failed) return;
    try {
      worker = new Worker(ROOT + "search/lotse-worker.js?v=" + VERSION);
    } catch (e) {
      return fail(e && e.message);
    }
    worker.onmessage = receive;
    worker.onerror = function (event) {
      event.preventDefault();
      fail(event.message || "the search worker failed");
    };
    var manifest = new URL(ROOT + "search/manifest.json?v=" + VERSION, location.href).href;
    // The manifest is fetched here, beside the worker's script, and handed over: the worker then
    // asks for the runtime and the index at once, one round trip earlier (150 ms on a busy WLAN).
    // Searches sent meanwhile wait in the worker until its index is open.
    fetch(manifest, { cache: "no-cache" }).then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (loaded) { worker.postMessage({ type: "init", manifest: manifest, loaded: loaded, saveData: saveData() }); });
  }

  /** Sends a request; the answer goes to `owner`. Returns the request's id. */
  function send(message, owner) {
    start();
    message.id = ++nextId;
    owners[message.id] = owner;
    if (worker && !failed) worker.postMessage(message);
    return message.id;
  }

  /** Tells the page's other scripts that the search has loaded what it needs, or failed to: the
   * offline mode's service worker waits for this before it downloads the whole portal (lotse.js). */
  function settled() {
    document.dispatchEvent(new CustomEvent("lotse:search-settled"));
  }

  /** The search cannot work on this page: say so kindly wherever a search is shown. */
  function fail(reason) {
    settled();
    failed = true;
    warn(reason);
    widgets.forEach(function (w) { if (w.lastId) show(w, "error"); });
  }

  function receive(event) {
    var m = event.data || {};
    if (m.type === "ready") { ready = true; settled(); return; }
    if (m.type === "error" && m.id == null) return fail(m.message); // the index could not be loaded
    var owner = owners[m.id];
    // A search box's request also gets similar articles after its results: it stays until the
    // box sends its next one.
    if (typeof owner === "function" || (m.type !== "results" && m.type !== "excerpts")) delete owners[m.id];
    if (typeof owner === "function") { // requests of other code: article marks, ticket suggestions
      if (m.type === "error") warn(m.message);
      return owner(m.type === "results" ? m.results : m.type === "highlighted" ? m.ranges || [] : null);
    }
    if (m.type === "error") {
      if (owner && owner.lastId === m.id) show(owner, "error");
      else warn(m.message);
    } else if (m.type === "results" && owner && owner.lastId === m.id) { // older answers are stale
      if (m.results.length) show(owner, "results", m.results, m.query, m);
      else show(owner, "empty", null, m.query, m);
      warmSemantic();
    } else if (m.type === "excerpts" && owner && owner.lastId === m.id) {
      fillExcerpts(owner, m.excerpts, m.summaries);
    } else if (m.type === "similar" && owner && owner.lastId === m.id) {
      showSimilar(owner, m.results, m.query);
    } else if (m.type === "semantic-failed") {
      warn(m.message);
    }
  }

  /** Whether the browser asks to save data: then nothing is fetched that a search can do without. */
  function saveData() {
    return !!(navigator.connection && navigator.connection.saveData);
  }

  /** After a first search, when the browser is idle: let the worker fetch the semantic stage
   * (only if the portal ships it; never when the browser asks to save data). */
  var semanticWarm = false;
  function warmSemantic() {
    if (semanticWarm || !worker || saveData()) return;
    semanticWarm = true;
    var go = function () { worker.postMessage({ type: "semantic-warm" }); };
    if ("requestIdleCallback" in window) requestIdleCallback(go, { timeout: 5000 });
    else setTimeout(go, 1000);
  }

  /** For the portal's other scripts (the ticket form's suggestions): `callback` gets up to `limit`
   * results ({url, title, platform, platformName, summary}) or null when search is unavailable. */
  window.LotseSearch = {
    search: function (query, limit, callback) {
      if (failed) return callback(null);
      send({ type: "search", query: query, platform: "", typing: false, limit: limit }, callback);
    }
  };

  // ---- search boxes -----------------------------------------------------------------------------

  /** Searches for what is in the box now; `typing` lets the last word count as a prefix. */
  function run(w, typing) {
    clearTimeout(w.timer);
    delete owners[w.lastId]; // its similar articles, if still to come, are for an old query
    var query = wellFormed(w.input.value.trim());
    var platform = w.filter ? w.filter.value : "";
    if (w.page) updateAddress(query, platform);
    if (!query) { w.lastId = 0; return show(w, null); }
    if (failed) return show(w, "error");
    if (!ready) show(w, "loading");
    var limit = w.page ? PAGE_LIMIT : DROPDOWN_LIMIT;
    w.lastId = send({ type: "search", query: query, platform: platform, typing: typing, limit: limit, sections: w.page, semantic: !saveData() }, w);
  }

  /** `text` with lone surrogate halves (a pasted or crafted half emoji) replaced by U+FFFD, which
   * encodeURIComponent would otherwise throw on. */
  function wellFormed(text) {
    return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }

  /** Keeps the search page's address shareable: ?q=…&platform=… */
  function updateAddress(query, platform) {
    var params = new URLSearchParams(location.search);
    if (query) params.set("q", query); else params.delete("q");
    if (platform) params.set("platform", platform); else params.delete("platform");
    var search = params.toString();
    history.replaceState(history.state, "", location.pathname + (search ? "?" + search : ""));
  }

  /** One result: title, platform badge and the excerpt with the matches in <mark>. */
  function result(w, r, query, index) {
    var link = el("a", "search-result");
    link.href = ROOT + r.url + "?h=" + encodeURIComponent(query);
    link.appendChild(el("span", "search-result-title", r.title));
    var meta = link.appendChild(el("span", "search-result-meta"));
    meta.appendChild(el("span", "platform-badge platform-" + r.platform, r.platformName));
    // Drafts and internal articles exist only in the preview and the internal portal: marked.
    if (r.status === "draft" || r.status === "internal") {
      meta.appendChild(el("span", "status-tag status-" + r.status, text("status-" + r.status)));
    }
    writeExcerpt(link.appendChild(el("span", "search-result-excerpt")), r.excerpt, r.summary);
    if (w.page) {
      var item = el("li", "search-results-item");
      item.appendChild(link);
      if (r.sections && r.sections.length) item.appendChild(sectionLinks(r, query));
      return item;
    }
    link.id = w.id + "-option-" + index;
    link.tabIndex = -1;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    return link;
  }

  /** An excerpt's parts, the matches in <mark>; the summary where there is no excerpt (yet). */
  function writeExcerpt(span, parts, summary) {
    span.textContent = "";
    (parts && parts.length ? parts : [[summary || "", false]]).forEach(function (part) {
      span.appendChild(part[1] ? el("mark", "", part[0]) : document.createTextNode(part[0]));
    });
  }

  /**
   * The excerpts of results shown while the articles' texts were on their way (a large portal),
   * with their summaries or, where only the titles were here, with none: each excerpt (or, for an
   * article without text, its summary) fills its box in place, a box of fixed height, so that no
   * result moves.
   */
  function fillExcerpts(w, excerpts, summaries) {
    var links = w.list.querySelectorAll(".search-result");
    excerpts.forEach(function (parts, i) {
      var span = links[i] && links[i].querySelector(".search-result-excerpt");
      var summary = summaries && summaries[i];
      if (span && ((parts && parts.length) || summary)) writeExcerpt(span, parts, summary);
    });
    w.list.removeAttribute("data-excerpts");
  }

  /** The sections of a result that match, each a link that opens the article at its heading. */
  function sectionLinks(r, query) {
    var list = el("ul", "search-result-sections");
    list.setAttribute("aria-label", text("sections") + ": " + r.title);
    r.sections.forEach(function (section) {
      var link = el("a", "search-result-section");
      link.href = ROOT + r.url + "?h=" + encodeURIComponent(query) + "#" + encodeURIComponent(section.anchor);
      link.appendChild(el("span", "search-result-section-title", section.heading));
      var excerpt = link.appendChild(el("span", "search-result-excerpt"));
      section.excerpt.forEach(function (part) {
        excerpt.appendChild(part[1] ? el("mark", "", part[0]) : document.createTextNode(part[0]));
      });
      list.appendChild(el("li")).appendChild(link);
    });
    return list;
  }

  /** "Meinten Sie …?" with a link that searches the suggestion, and whether the results are only the closest. */
  function help(w, answer) {
    var box = el("div", "search-help");
    if (answer.closest) box.appendChild(block("closest"));
    if (answer.suggestion) {
      var line = box.appendChild(block("suggest"));
      var link = line.querySelector("a");
      link.textContent = answer.suggestion;
      link.href = ROOT + "search/?q=" + encodeURIComponent(answer.suggestion);
      link.addEventListener("click", function (event) {
        if (!w.page) return; // elsewhere the search page opens with the suggestion
        event.preventDefault();
        w.input.value = answer.suggestion;
        run(w, false);
      });
    }
    return box;
  }

  /** Above results about a platform with an ongoing outage: "Bekannte Störung: … (Stand …)", so
   * that a teacher learns at once that it is not their device. The platforms are those of the
   * first results and of the filter: what the search relates the query to. */
  function knownOutages(w, results) {
    if (!window.LotseNotices) return;
    var platforms = results.slice(0, 3).map(function (r) { return r.platform; });
    if (w.filter && w.filter.value) platforms.push(w.filter.value);
    window.LotseNotices.onFor(platforms).forEach(function (n) {
      var line = el("p", "search-notice notice-" + n.status);
      line.appendChild(el("strong", "", text("notice-known") + ":"));
      line.appendChild(document.createTextNode(" "));
      var link = line.appendChild(el("a", "", n.title));
      link.href = ROOT + n.url;
      line.appendChild(document.createTextNode(" – " + n.status_label + " (" + text("notice-as-of") + " " + n.updated_display + ")"));
      w.message.appendChild(line);
    });
  }

  /** Shows a state: null (nothing typed), "loading", "error", "empty" or "results"; `answer`
   * carries the worker's suggestion and whether the results are the closest articles only. */
  function show(w, state, results, query, answer) {
    w.message.textContent = "";
    w.list.textContent = "";
    w.list.removeAttribute("data-excerpts");
    if (w.after) w.after.textContent = "";
    if (w.similar) w.similar.textContent = "";
    w.area.removeAttribute("data-similar-for");
    w.active = -1;
    w.input.removeAttribute("aria-activedescendant");
    var status = "";
    if (answer && (answer.suggestion || answer.closest)) w.message.appendChild(help(w, answer));
    if (state === "results") knownOutages(w, results);
    if (state === "results") {
      results.forEach(function (r, i) { w.list.appendChild(result(w, r, query, i)); });
      if (answer && answer.excerptsPending) w.list.setAttribute("data-excerpts", "pending");
      status = text(results.length === 1 ? "one" : "many").replace("{n}", results.length);
      if (w.more) w.more.href = ROOT + "search/?q=" + encodeURIComponent(query);
    } else if (state) {
      var message = block(state);
      w.message.insertBefore(message, w.message.firstChild);
      status = (message.querySelector("p") || message).textContent.trim();
    }
    // A search that found nothing (or nothing helpful) leads on to "Problem melden", query included.
    var report = (state === "empty" || (state === "results" && w.page)) && ui.content.querySelector('[data-text="report"]');
    if (report) {
      report = report.cloneNode(true);
      var link = report.querySelector("a");
      link.href = link.getAttribute("href") + "?query=" + encodeURIComponent(query || wellFormed(w.input.value.trim()));
      (state === "empty" ? w.message : w.after).appendChild(report);
    }
    w.status.textContent = status;
    // Screen readers hear every state; the page shows only the count (messages speak for themselves).
    w.status.className = w.page && state === "results" ? "search-status" : "visually-hidden";
    w.list.hidden = state !== "results";
    if (w.page) {
      // The full article list below stays for an empty box and as the fallback when search fails.
      // lotse.js hid it before the first paint (`has-query`, which also reserves the results'
      // height, so the footer never jumps); it comes back only here.
      var all = document.querySelector(".all-articles");
      var hideAll = !!state && state !== "error";
      if (all) all.hidden = hideAll;
      if (!hideAll) html.classList.remove("has-query");
    } else {
      w.more.hidden = state !== "results";
      setOpen(w, !!state && w.form.contains(document.activeElement));
    }
  }

  /**
   * Articles the meaning found and the shown results lack (the semantic stage), below the
   * results under "Ähnliche Anleitungen". Nothing shown moves: a teacher about to tap a result
   * never hits another one. In the dropdown they are options after the others, so the arrow keys
   * reach them last.
   */
  function showSimilar(w, results, query) {
    w.area.setAttribute("data-similar-for", query);
    if (!results.length) return;
    var start = w.page ? 0 : optionsOf(w).length;
    var heading = el(w.page ? "h2" : "div", "search-similar-heading", text("similar"));
    if (w.page) {
      var list = el("ol", "search-results search-similar-list");
      list.setAttribute("aria-label", text("similar"));
      results.forEach(function (r, i) { list.appendChild(result(w, r, query, i)); });
      w.similar.append(heading, list);
    } else {
      heading.setAttribute("role", "presentation");
      heading.id = w.id + "-similar";
      var group = el("div", "search-similar");
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", heading.id);
      group.appendChild(heading);
      results.forEach(function (r, i) { group.appendChild(result(w, r, query, start + i)); });
      w.list.appendChild(group);
      w.list.hidden = false;
      w.more.hidden = false;
    }
    w.status.textContent += " " + text("similar-count").replace("{n}", results.length);
  }

  /** The dropdown's options, similar articles included, in order. */
  function optionsOf(w) {
    return w.list.querySelectorAll('[role="option"]');
  }

  function setOpen(w, yes) {
    w.panel.hidden = !yes;
    w.input.setAttribute("aria-expanded", String(yes));
  }

  /** Makes option `index` the active one (-1: none), as the combobox pattern asks. */
  function move(w, index) {
    var options = optionsOf(w);
    if (options[w.active]) options[w.active].setAttribute("aria-selected", "false");
    w.active = index;
    if (options[index]) {
      options[index].setAttribute("aria-selected", "true");
      w.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      w.input.removeAttribute("aria-activedescendant");
    }
  }

  /** Arrow keys move through the dropdown, Enter opens the chosen result, Escape closes. */
  function onKey(w, event) {
    var options = optionsOf(w);
    var panelOpen = !w.panel.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      if (!panelOpen) setOpen(w, true);
      var next = w.active + (event.key === "ArrowDown" ? 1 : -1);
      move(w, next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
    } else if (event.key === "Enter" && panelOpen && options[w.active]) {
      event.preventDefault();
      options[w.active].click();
    } else if (event.key === "Escape" && panelOpen) {
      event.preventDefault();
      setOpen(w, false);
      move(w, -1);
    }
    // Enter without a chosen result submits the form: the search page shows every result.
  }

  function setup(form, index) {
    var input = form.querySelector(".search-input");
    if (!input) return;
    var target = form.getAttribute("data-search-target");
    var area = target && document.getElementById(target);
    var w = { form: form, input: input, id: "lotse-search-" + index, page: !!area, active: -1, timer: 0, lastId: 0 };
    w.status = el("p", "visually-hidden");
    w.status.setAttribute("role", "status");
    w.status.setAttribute("aria-live", "polite");
    w.message = el("div", "search-message");
    w.list = el(area ? "ol" : "div", "search-results");
    w.list.hidden = true;
    w.list.id = w.id + "-list";
    w.list.setAttribute("aria-label", text("results"));

    if (area) { // the search page: results in the page, a platform filter, a shareable address
      w.after = el("div", "search-after");
      w.similar = el("div", "search-similar");
      area.append(w.status, w.message, w.list, w.similar, w.after);
      w.area = area;
      w.filter = document.getElementById("search-platform");
      var params = new URLSearchParams(location.search);
      input.value = params.get("q") || input.value;
      if (w.filter) {
        w.filter.closest(".search-filter").hidden = false;
        var platform = params.get("platform") || "";
        if (w.filter.querySelector('option[value="' + CSS.escape(platform) + '"]')) w.filter.value = platform;
        w.filter.addEventListener("change", function () { run(w, false); });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run(w, false);
        // On a touch screen, hide the keyboard so the results can be seen.
        if (window.matchMedia && matchMedia("(pointer: coarse)").matches) input.blur();
      });
    } else { // every other page: a dropdown under the box
      w.panel = el("div", "search-panel");
      w.panel.hidden = true;
      w.list.setAttribute("role", "listbox");
      w.more = el("a", "search-more", text("all"));
      w.more.href = ROOT + "search/";
      w.panel.append(w.message, w.list, w.more);
      w.area = w.panel;
      form.append(w.status, w.panel);
      form.classList.add("search-form--live");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", w.list.id);
      input.addEventListener("keydown", function (event) { onKey(w, event); });
      input.addEventListener("focus", function () { if (w.lastId && (w.list.children.length || w.message.firstChild)) setOpen(w, true); });
      form.addEventListener("focusout", function (event) {
        // Safari gives no relatedTarget when a link is tapped: then the pointerdown below decides.
        if (event.relatedTarget && !form.contains(event.relatedTarget)) setOpen(w, false);
      });
    }
    input.addEventListener("focus", start);
    input.addEventListener("pointerdown", start);
    input.addEventListener("input", function () {
      start();
      clearTimeout(w.timer);
      w.timer = setTimeout(function () { run(w, true); }, DEBOUNCE_MS);
    });
    widgets.push(w);
    if (area && input.value.trim()) run(w, false);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".search-form"), setup);

  // A tap or click outside closes the dropdowns.
  document.addEventListener("pointerdown", function (event) {
    widgets.forEach(function (w) { if (w.panel && !w.form.contains(event.target)) setOpen(w, false); });
  });

  // "/" anywhere (but not while typing in a field) jumps to the search box.
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !widgets.length) return;
    if (t.isContentEditable || (t.closest && t.closest("input, textarea, select"))) return;
    event.preventDefault();
    widgets[0].input.focus();
    widgets[0].input.select();
  });

  // ---- article pages opened from a result: mark the query's words --------------------------------

  function markArticle(query) {
    var nodes = [];
    [".article h1", ".article .prose"].forEach(function (selector) {
      var scope = document.querySelector(selector);
      if (!scope) return;
      var walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.data.trim()) nodes.push(node);
      }
    });
    if (!nodes.length) return;
    var texts = nodes.map(function (node) { return node.data; });
    send({ type: "highlight", query: query, texts: texts }, function (ranges) {
      nodes.forEach(function (node, i) {
        var list = (ranges[i] || []).slice().sort(function (a, b) { return a[0] - b[0]; });
        // From the last range to the first, so the earlier offsets stay valid while splitting.
        for (var k = list.length - 1; k >= 0; k--) {
          var start = list[k][0], end = list[k][1];
          if (!(start >= 0 && end > start && end <= node.data.length)) continue;
          var hit = node.splitText(start);
          hit.splitText(end - start);
          var mark = el("mark", "search-hit");
          hit.parentNode.replaceChild(mark, hit);
          mark.appendChild(hit);
        }
      });
      // Opened at a section: its heading stays where the browser put it; else the first match.
      if (location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)))) return;
      var first = document.querySelector("mark.search-hit");
      if (first) first.scrollIntoView({ block: "center" });
    });
  }

  var highlightQuery = html.getAttribute("data-page-kind") === "article" && new URLSearchParams(location.search).get("h");
  if (highlightQuery && highlightQuery.trim()) markArticle(highlightQuery.trim());

  // ---- otherwise: load the index when the browser has nothing else to do -------------------------

  function whenIdle() {
    if (navigator.connection && navigator.connection.saveData) return; // wait for the first focus
    if ("requestIdleCallback" in window) requestIdleCallback(start, { timeout: 5000 });
    else setTimeout(start, 3000);
  }
  if (document.readyState === "complete") whenIdle();
  else window.addEventListener("load", whenIdle);
})();
