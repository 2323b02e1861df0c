// "Save view" saves the page as it is now: htmx filters change the address bar without
// reloading, so the query string is taken from the address bar when the form is sent.
(function () {
  "use strict";
  if (window.waymarkSavedViews) return;
  window.waymarkSavedViews = true;
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-save-view]");
    if (!form) return;
    var query = form.querySelector('input[name="query"]');
    if (query) query.value = window.location.search.replace(/^\?/, "");
  });
})();
