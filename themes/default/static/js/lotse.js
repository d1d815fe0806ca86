// Lotse theme runtime: colour-scheme toggle and offline mode. Dependency-free, no inline script
// needed (strict CSP). Loaded without `defer` in <head>, so that the stored colour scheme and the
// `js` and `has-query` classes apply before the first paint: no flash, no layout shift.
(function () {
  "use strict";
  var KEY = "lotse-theme";
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(theme) {
    if (theme === "dark" || theme === "light") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
  }
  apply(stored());
  // What only works with JavaScript (the ticket form, "Ja", the theme toggle) is shown from the
  // start; CSS hides it without JavaScript. A search page opened with ?q= hides the A–Z list at once.
  root.classList.add("js");
  if (/[?&]q=[^&]/.test(location.search) && root.getAttribute("data-page-kind") === "search") root.classList.add("has-query");
  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  // A printed article writes its link targets out (print CSS, `attr(data-print-url)`): the full
  // address, which the relative `href` is not.
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".prose a[href]:not([href^='#']):not(.flow-answer)"), function (a) {
      a.setAttribute("data-print-url", a.href);
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    button.hidden = false;
    button.setAttribute("aria-pressed", String(isDark()));
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      apply(next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
      button.setAttribute("aria-pressed", String(next === "dark"));
    });
  });

  // Offline mode: the service worker (sw.js, written by `lotse build`) caches the whole portal.
  // A newer build's worker installs in the background and waits; the next page that opens tells
  // it to take over and reloads once, so a page and its assets always come from the same build
  // and nobody's page reloads while they read it.
  // On a first visit it downloads the whole portal, which on a slow school WLAN would compete with
  // the search's own download and a teacher's first query: it registers once the search is ready
  // (or has failed: lotse-search.js says so with "lotse:search-settled"), at the latest 10 s after
  // the page loaded (a page whose search never starts). A browser that asks to save data
  // (Save-Data) gets no offline copy: the whole portal is megabytes it did not ask for.
  var worker = root.getAttribute("data-service-worker");
  var saveData = !!(navigator.connection && navigator.connection.saveData);
  if (worker && "serviceWorker" in navigator && !saveData) afterSearch(function () {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (controlled) window.location.reload();
      controlled = true; // the first install takes over silently: nothing to refresh
    });
    navigator.serviceWorker.register(worker).then(function (registration) {
      // Where service workers are blocked by policy, some browsers resolve with nothing.
      if (!registration) return;
      // Browsers activate a waiting worker only once the old one has answered every request of
      // this page, so ask after the page has loaded, and again while it keeps waiting.
      var tries = 0;
      var activate = function () {
        if (!registration.waiting || !controlled || tries++ > 10) return;
        registration.waiting.postMessage("lotse:activate");
        setTimeout(activate, 1000);
      };
      if (document.readyState === "complete") activate();
      else window.addEventListener("load", activate);
    }).catch(function () { /* no offline mode (private browsing, file://): the portal works online */ });
  });

  /** Calls `go` once: when the search has settled, or 10 s after the page loaded. */
  function afterSearch(go) {
    var done = false;
    var once = function () { if (!done) { done = true; go(); } };
    document.addEventListener("lotse:search-settled", once);
    var later = function () { setTimeout(once, 10000); };
    if (document.readyState === "complete") later();
    else window.addEventListener("load", later);
  }
})();
