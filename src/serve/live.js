// Lotse preview: reloads the page when a rebuild changed it, and shows build errors over the page.
// Served by `lotse serve` only; never part of a published site.
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
          try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) { /* not kept */ }
          location.reload();
          return;
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
