// Lotse theme runtime: colour-scheme toggle and offline mode. Dependency-free, no inline script
// needed (strict CSP).
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
  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
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
  var worker = root.getAttribute("data-service-worker");
  if (worker && "serviceWorker" in navigator) {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (controlled) window.location.reload();
      controlled = true; // the first install takes over silently: nothing to refresh
    });
    navigator.serviceWorker.register(worker).then(function (registration) {
      if (registration.waiting && controlled) registration.waiting.postMessage("lotse:activate");
    }).catch(function () { /* no offline mode (private browsing, file://): the portal works online */ });
  }
})();
