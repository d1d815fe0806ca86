// Lotse ticket handover: "Hat diese Anleitung geholfen?" under every article, and the
// "Problem melden" form, which turns what a teacher typed into a prefilled e-mail (mailto:) or the
// ticket system's own form (a URL template from lotse.yaml).
//
// Nothing typed leaves the device until the teacher sends it: the form keeps its state in
// sessionStorage only, so that opening a suggested article and coming back loses nothing.
// Dependency-free and without inline code, for a strict Content-Security-Policy.
(function () {
  "use strict";
  var ROOT = document.documentElement.getAttribute("data-root") || "";
  // mailto: links longer than this fail in Outlook for Windows and some Android mail apps.
  var MAILTO_LIMIT = 1900;
  // Web servers refuse request lines much beyond 8 KB.
  var URL_LIMIT = 7000;
  var SUGGEST_DEBOUNCE_MS = 350;
  var SUGGESTIONS = 4;

  function absolute(path) {
    return new URL(ROOT + path, location.href).href;
  }

  /** `text` with lone surrogate halves replaced by U+FFFD, which encodeURIComponent would throw on. */
  function wellFormed(text) {
    return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }

  /** Replaces `{name}` in `template` by `values[name]`, URL-encoded if `encode`. */
  function fill(template, values, encode) {
    return template.replace(/\{([a-z]+)\}/g, function (all, name) {
      var value = values[name] == null ? "" : wellFormed(String(values[name]));
      return encode ? encodeURIComponent(value) : value;
    });
  }

  // ---- "Hat diese Anleitung geholfen?" ------------------------------------------------------------

  var feedback = document.querySelector("[data-feedback]");
  if (feedback) {
    var yes = feedback.querySelector('[data-helpful="yes"]');
    var no = feedback.querySelector('[data-helpful="no"]');
    var status = feedback.querySelector("[data-feedback-status]");
    var report = function (helpful) {
      var url = feedback.getAttribute("data-feedback-url");
      if (!url) return; // nothing configured: nothing is sent
      var values = { article: absolute(feedback.getAttribute("data-article")), title: feedback.getAttribute("data-title"), helpful: helpful };
      try {
        fetch(fill(url, values, true), { mode: "no-cors", credentials: "omit", keepalive: true, cache: "no-store" }).catch(function () {});
      } catch (e) { /* feedback is a courtesy, never an obstacle */ }
    };
    yes.hidden = false;
    yes.addEventListener("click", function () {
      report("yes");
      yes.disabled = true;
      no.hidden = true;
      status.textContent = status.getAttribute("data-thanks");
    });
    no.addEventListener("click", function () { report("no"); }); // and the link opens the form
  }

  // ---- the form -----------------------------------------------------------------------------------

  var form = document.getElementById("ticket-form");
  if (!form) return;
  var config = JSON.parse(form.getAttribute("data-ticket"));
  var STORE = "lotse-ticket:" + location.pathname;
  var context = { article: "", title: "", query: "" };
  var statusBox = form.querySelector("[data-ticket-status]");
  var preview = form.querySelector("[data-ticket-text]");
  var fallback = form.querySelector("[data-ticket-fallback]");
  var aside = document.querySelector("[data-ticket-suggestions]");
  var suggestTimer = 0;
  var lastSuggestQuery = "";
  form.hidden = false;

  function inputs() {
    return Array.prototype.filter.call(form.elements, function (e) { return e.name && e.type !== "submit" && e.type !== "button"; });
  }

  function save() {
    var values = {};
    inputs().forEach(function (e) { values[e.name] = e.value; });
    try { sessionStorage.setItem(STORE, JSON.stringify({ values: values, context: context })); } catch (e) { /* private mode */ }
  }

  function restore() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    inputs().forEach(function (e) {
      if (saved.values && typeof saved.values[e.name] === "string") e.value = saved.values[e.name];
    });
    if (saved.context) context = saved.context;
  }

  /** Shows the article the teacher tried and the search they made; both go into the ticket. */
  function showContext() {
    var article = form.querySelector('[data-context="article"]');
    article.hidden = !context.article;
    if (context.article) {
      var link = article.querySelector("[data-context-link]");
      link.href = ROOT + context.article;
      link.textContent = context.title || context.article;
    }
    form.querySelector("[data-step-field]").hidden = !context.article;
    var query = form.querySelector('[data-context="query"]');
    query.hidden = !context.query;
    query.querySelector("[data-context-text]").textContent = context.query;
  }

  function platform() {
    var select = form.elements.platform;
    return { id: select.value, name: select.value ? select.options[select.selectedIndex].text : "" };
  }

  function value(name) {
    var e = form.elements[name];
    return e ? e.value.trim() : "";
  }

  /** Everything the ticket says, as "Label: value" lines and the description; `description` may be shortened. */
  function ticketBody(description) {
    var lines = [];
    var add = function (label, text) { if (text) lines.push(label + ": " + text); };
    add(form.elements.platform.getAttribute("data-label"), platform().name);
    inputs().forEach(function (e) {
      if (e.name !== "platform" && e.name !== "step" && e.getAttribute("data-label")) add(e.getAttribute("data-label"), e.value.trim());
    });
    if (context.article) add(form.getAttribute("data-label-article"), (context.title || context.article) + " – " + absolute(context.article));
    if (context.article) add(form.elements.step.getAttribute("data-label"), value("step"));
    if (context.query) add(form.getAttribute("data-label-query"), "„" + context.query + "“");
    knownOutages().forEach(function (n) {
      add(outageBox.getAttribute("data-label"), n.title + " (" + n.status_label + ", " + outageBox.getAttribute("data-label-as-of") + " " + n.updated_display + ")");
    });
    lines.push("", form.getAttribute("data-label-description") + ":", description);
    return lines.join("\n");
  }

  function values(description) {
    var v = {
      platform: platform().name,
      summary: value("summary"),
      description: description,
      article: context.article ? absolute(context.article) : "",
      query: context.query,
      step: context.article ? value("step") : ""
    };
    inputs().forEach(function (e) { if (!(e.name in v)) v[e.name] = e.value.trim(); });
    // A subject without platform must not start with ": ".
    v.subject = fill(config.subject, v, false).replace(/^[\s:–-]+/, "").replace(/\s+/g, " ").trim();
    v.body = ticketBody(description);
    return v;
  }

  function channel() {
    return (config.routes && config.routes[platform().id]) || config.channel;
  }

  /** The link for `description`: mailto: with subject and body, or the ticket system's URL. */
  function link(description) {
    var v = values(description);
    var target = channel();
    if (target.email) {
      // RFC 6068: line breaks in a mailto: body are CRLF.
      return "mailto:" + target.email + "?subject=" + encodeURIComponent(wellFormed(v.subject)) +
        "&body=" + encodeURIComponent(wellFormed(v.body).replace(/\r?\n/g, "\r\n"));
    }
    return fill(target.url, v, true);
  }

  /** The link, shortening the description (never mid-character) until it fits; `shortened` says whether it had to. */
  function fittedLink() {
    var limit = channel().email ? MAILTO_LIMIT : URL_LIMIT;
    var description = value("description");
    var full = link(description);
    if (full.length <= limit) return { href: full, shortened: false };
    var chars = Array.from(description);
    var note = "\n\n" + form.getAttribute("data-shortened");
    var low = 0;
    var high = chars.length;
    while (low < high) { // the longest prefix that fits
      var mid = Math.ceil((low + high) / 2);
      if (link(chars.slice(0, mid).join("") + " …" + note).length <= limit) low = mid; else high = mid - 1;
    }
    return { href: link(chars.slice(0, low).join("") + " …" + note), shortened: true };
  }

  function fullText() {
    var v = values(value("description"));
    var target = channel();
    return (target.email ? "An: " + target.email + "\n" : "") + "Betreff: " + v.subject + "\n\n" + v.body;
  }

  // ---- known outages: "Wir wissen Bescheid" -----------------------------------------------------------

  var outageBox = form.querySelector("[data-known-outage]");

  /** The ongoing outages of the chosen platform (none without a platform or notices). */
  function knownOutages() {
    if (!outageBox || !window.LotseNotices || !platform().id) return [];
    return window.LotseNotices.onFor([platform().id]);
  }

  /** Shows the chosen platform's outages before the description, so that a teacher sees that
   * the team knows; a ticket sent anyway names them. */
  function showOutages() {
    if (!outageBox) return;
    var list = outageBox.querySelector("[data-known-outage-list]");
    list.textContent = "";
    knownOutages().forEach(function (n) {
      var link = list.appendChild(document.createElement("li")).appendChild(document.createElement("a"));
      link.href = ROOT + n.url;
      link.textContent = n.title + " – " + n.status_label;
    });
    outageBox.hidden = !list.children.length;
  }

  function say(text) {
    statusBox.textContent = "";
    if (text) statusBox.appendChild(document.createElement("p")).textContent = text;
  }

  function update() {
    showOutages();
    preview.textContent = fullText();
    save();
  }

  // ---- suggestions while typing ---------------------------------------------------------------------

  function suggest() {
    if (!window.LotseSearch || !aside) return;
    var words = (value("summary") + " " + value("description")).split(/\s+/).filter(Boolean).slice(0, 24).join(" ");
    if (words === lastSuggestQuery) return;
    lastSuggestQuery = words;
    if (!words) { aside.hidden = true; return; }
    window.LotseSearch.search(words, SUGGESTIONS, function (results) {
      if (words !== lastSuggestQuery) return; // a newer search is on its way
      var list = aside.querySelector("[data-suggestions-list]");
      list.textContent = "";
      (results || []).forEach(function (r) {
        var item = list.appendChild(document.createElement("li"));
        var a = item.appendChild(document.createElement("a"));
        a.className = "suggestion";
        a.href = ROOT + r.url;
        a.appendChild(document.createElement("span")).textContent = r.title;
        a.lastChild.className = "suggestion-title";
        if (r.summary) {
          var summary = a.appendChild(document.createElement("span"));
          summary.className = "suggestion-summary";
          summary.textContent = r.summary;
        }
      });
      aside.hidden = !list.children.length;
    });
  }

  // ---- wiring ---------------------------------------------------------------------------------------

  restore();
  var params = new URLSearchParams(location.search);
  if (params.get("article")) context = { article: params.get("article"), title: params.get("title") || "", query: context.query };
  if (params.get("query")) context.query = params.get("query");
  // A guided troubleshooting flow hands over the steps tried and their answers.
  // Reloading the form keeps what the teacher added below it.
  var tried = params.get("description");
  if (tried && form.elements.description.value.indexOf(tried) < 0) form.elements.description.value = tried;
  if (params.get("step")) form.elements.step.value = params.get("step");
  var wanted = params.get("platform");
  if (wanted && form.querySelector('#ticket-platform option[value="' + CSS.escape(wanted) + '"]')) form.elements.platform.value = wanted;
  showContext();
  update();
  suggest();
  if (window.LotseNotices) window.LotseNotices.subscribe(update);

  form.addEventListener("input", function () {
    update();
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, SUGGEST_DEBOUNCE_MS);
  });
  form.addEventListener("change", update);

  Array.prototype.forEach.call(form.querySelectorAll("[data-context-remove]"), function (button) {
    button.addEventListener("click", function () {
      var which = button.closest("[data-context]").getAttribute("data-context");
      if (which === "article") { context.article = ""; context.title = ""; } else { context.query = ""; }
      showContext();
      update();
      form.elements.summary.focus();
    });
  });

  // The browser checks the required fields before this runs.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var fitted = fittedLink();
    var anchor = fallback.querySelector("[data-ticket-link]");
    anchor.href = fitted.href;
    fallback.hidden = false;
    var email = !!channel().email;
    say((fitted.shortened ? form.getAttribute("data-too-long") + " " : "") +
      form.getAttribute(email ? "data-opened-email" : "data-opened-url"));
    if (email) location.href = fitted.href;
    else window.open(fitted.href, "_blank", "noopener");
  });

  form.querySelector("[data-ticket-copy]").addEventListener("click", function () {
    var text = fullText();
    var done = function () { say(form.getAttribute("data-copied")); };
    var failed = function () {
      say(form.getAttribute("data-copy-failed"));
      form.querySelector(".ticket-preview").open = true;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, failed);
    else failed();
  });

  form.querySelector("[data-ticket-clear]").addEventListener("click", function () {
    try { sessionStorage.removeItem(STORE); } catch (e) { /* nothing stored */ }
    form.reset();
    context = { article: "", title: "", query: "" };
    history.replaceState(history.state, "", location.pathname);
    showContext();
    update();
    say("");
    fallback.hidden = true;
    if (aside) aside.hidden = true;
    lastSuggestQuery = "";
    form.elements.summary.focus();
  });
})();
