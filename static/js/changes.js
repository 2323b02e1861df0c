/* "What changed since my last visit": this browser remembers when it last opened each roadmap
   page (localStorage, no account needed) and offers to compare today's plan with the plan as
   it was then (?since=<that moment>). The moment is fixed once per browser session, so moving
   around the page does not forget it; a page that is itself a comparison does not count as a
   visit. The server computes the changes from the history it keeps. */
(function () {
  "use strict";

  var key = "waymark:last-visit:" + window.location.pathname;
  var since = "";
  try {
    since = window.sessionStorage.getItem(key);
    if (since === null) {
      since = window.localStorage.getItem(key) || "";
      window.sessionStorage.setItem(key, since);
    }
    if (!new URLSearchParams(window.location.search).has("since")) {
      window.localStorage.setItem(key, new Date().toISOString());
    }
  } catch (e) { return; /* storage is off: the date field still works */ }

  function wire(root) {
    if (!since) return;
    root.querySelectorAll("[data-last-visit]").forEach(function (link) {
      var params = new URLSearchParams(window.location.search);
      params.set("since", since);
      link.href = window.location.pathname + "?" + params.toString();
      var day = new Date(since).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
      link.textContent = "What changed since my last visit (" + day + ")";
      link.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function () { wire(document); });
  if (document.readyState !== "loading") wire(document);
})();
