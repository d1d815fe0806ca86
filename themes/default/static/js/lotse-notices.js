// Lotse outage notices: keeps the banners true to the clock and to the newest notices.
//
// Pages carry the notices as they were at build time (without JavaScript that is what shows).
// This script hides a notice whose end has passed and shows an announced one once it starts,
// without a rebuild, and fetches notices.json (network first in the service worker), so that a
// page from the offline cache never shows an ended outage. It also lends the notices to the
// search and the ticket form (window.LotseNotices). No dependencies; works under a strict CSP.
(function (global) {
  "use strict";

  /** Whether a notice ({start, end} as RFC 3339 strings, end may be empty) is on at `now` (ms). */
  function isOn(notice, now) {
    var start = Date.parse(notice.start);
    var end = notice.end ? Date.parse(notice.end) : Infinity;
    return !isNaN(start) && start <= now && now < end;
  }

  /** The notices a page shows: all on the home page, else those of its platform ("" for none). */
  function forPage(notices, platform, isHome) {
    return notices.filter(function (n) {
      return isHome || (platform !== "" && n.platforms.indexOf(platform) !== -1);
    });
  }

  /** The notices on at `now` for any of `platforms`, newest update first. */
  function onFor(notices, platforms, now) {
    return notices
      .filter(function (n) {
        return isOn(n, now) && n.platforms.some(function (p) { return platforms.indexOf(p) !== -1; });
      })
      .sort(function (a, b) { return Date.parse(b.updated) - Date.parse(a.updated); });
  }

  var api = { isOn: isOn, forPage: forPage, onFor: onFor };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api; // node --test
    return;
  }

  var notices = null; // the newest list: from notices.json, else from the page
  var listeners = [];

  function fromPage(box) {
    return Array.prototype.map.call(box.querySelectorAll("[data-notice-start]"), function (p) {
      return { start: p.getAttribute("data-notice-start"), end: p.getAttribute("data-notice-end") };
    });
  }

  /** One banner, built with text nodes only: a notice's words are never HTML here. */
  function banner(box, n, root) {
    var p = document.createElement("p");
    p.className = "notice-banner notice-" + n.status;
    p.setAttribute("data-notice-start", n.start);
    p.setAttribute("data-notice-end", n.end || "");
    var strong = p.appendChild(document.createElement("strong"));
    strong.textContent = box.getAttribute("data-label-known") + ":";
    p.appendChild(document.createTextNode(" "));
    var link = p.appendChild(document.createElement("a"));
    link.href = root + n.url;
    link.textContent = n.title;
    p.appendChild(document.createTextNode(" – " + n.status_label + " "));
    var asOf = p.appendChild(document.createElement("span"));
    asOf.className = "notice-as-of";
    asOf.textContent = "(" + box.getAttribute("data-label-as-of") + " " + n.updated_display + ")";
    return p;
  }

  /** Shows exactly the banners that are on now; hides the box when none is. */
  function applyClock(box) {
    var now = Date.now();
    var any = false;
    Array.prototype.forEach.call(box.querySelectorAll("[data-notice-start]"), function (p) {
      var on = isOn({ start: p.getAttribute("data-notice-start"), end: p.getAttribute("data-notice-end") }, now);
      p.hidden = !on;
      any = any || on;
    });
    box.hidden = !any;
  }

  function render(box, root) {
    var shown = forPage(notices, box.getAttribute("data-notice-platform") || "", box.hasAttribute("data-notice-home"));
    box.textContent = "";
    shown.forEach(function (n) { box.appendChild(banner(box, n, root)); });
    applyClock(box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".notice-banners");
    var root = document.documentElement.getAttribute("data-root") || "";
    if (box) applyClock(box);
    global.setInterval(function () { if (box) applyClock(box); listeners.forEach(function (f) { f(); }); }, 60000);
    if (!global.fetch || !global.JSON) return;
    fetch(root + "notices.json", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
      .then(function (data) {
        notices = data.notices || [];
        if (box) render(box, root);
        listeners.forEach(function (f) { f(); });
      })
      .catch(function () { /* offline and never cached: the page's own banners stay */ });
  });

  /** For the search and the ticket form: the notices on now for `platforms`, and a way to hear of
   * newer ones. */
  global.LotseNotices = {
    onFor: function (platforms) { return notices ? onFor(notices, platforms, Date.now()) : []; },
    subscribe: function (f) { listeners.push(f); },
    fromPage: fromPage
  };
})(typeof window !== "undefined" ? window : globalThis);
