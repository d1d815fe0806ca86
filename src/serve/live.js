// Lotse preview: updates the page when a rebuild changed it, and shows build errors over the page.
// Served by `lotse serve` only; never part of a published site.
//
// A changed article is swapped into the open page (its <main> and breadcrumbs), which is faster
// than a reload and keeps the scroll position by itself. Pages whose <main> holds a search form
// (home, search), and changes to shared assets, reload completely, so that no script loses the
// elements it is bound to.
(function () {
  "use strict";
  var KEY = "lotse-preview-scroll:" + location.pathname;
  var version = null;
  var overlay = null;

  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved !== null) {
      sessionStorage.removeItem(KEY);
      window.addEventListener("load", function () { window.scrollTo(0, Number(saved) || 0); });
    }
  } catch (e) { /* storage unavailable: scroll position is not kept */ }

  function showErrors(errors) {
    if (!errors.length) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "lotse-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.className = "lotse-error-overlay";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("p");
    title.className = "lotse-error-title";
    title.textContent = "Lotse: the last change did not build (" + errors.length + "). The page shows the last good version.";
    overlay.appendChild(title);
    errors.forEach(function (error) {
      var pre = document.createElement("pre");
      pre.textContent = error;
      overlay.appendChild(pre);
    });
  }

  function affectsThisPage(changed) {
    var path = location.pathname.replace(/index\.html$/, "");
    return changed.some(function (url) {
      return url === "*" || url === path || url === path + "index.html";
    });
  }

  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) { /* not kept */ }
    location.reload();
  }

  /** Puts the new version's <main>, breadcrumbs and title into the page; false if it cannot. */
  function swapIn(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var oldMain = document.querySelector("main");
    var newMain = fresh.querySelector("main");
    if (!oldMain || !newMain || oldMain.querySelector("form") || newMain.querySelector("form")) return false;
    oldMain.replaceWith(document.importNode(newMain, true));
    var oldCrumbs = document.querySelector("nav.breadcrumbs");
    var newCrumbs = fresh.querySelector("nav.breadcrumbs");
    if (oldCrumbs && newCrumbs) oldCrumbs.replaceWith(document.importNode(newCrumbs, true));
    document.title = fresh.title;
    return true;
  }

  function update(everything) {
    if (everything) { reload(); return; }
    fetch(location.href, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
      .then(function (html) { if (!swapIn(html)) reload(); })
      .catch(reload);
  }

  function poll() {
    var url = "/__lotse/poll" + (version === null ? "" : "?since=" + version);
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        var first = version === null;
        var old = version;
        version = state.version;
        showErrors(state.errors);
        if (!first && state.version !== old && affectsThisPage(state.changed)) {
          update(state.changed.indexOf("*") !== -1);
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
