/* Share links: a "Copy link" button beside the new link (shown only where the browser can copy). */
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy link"; }, 2000);
        }, function () { field.select(); });
      });
    });
  }
  if (document.readyState !== "loading") setup(); else document.addEventListener("DOMContentLoaded", setup);
})();
