/* Printing a roadmap (or "Save as PDF" from the browser): the timeline or the Now / Next /
   Later columns are scaled down, just before printing, to fit one landscape A4 page with the
   heading and legend above them, and restored afterwards. Elements marked data-print-fit are
   scaled; the stylesheets' print rules hide the controls and the sidebar. */
(function () {
  "use strict";

  // A4 landscape less the 8 mm margins of the @page rule, in CSS pixels (96 per inch).
  var PAGE_WIDTH = 1062, PAGE_HEIGHT = 733, ABOVE = 240;  // room for the heading and the legend

  function fit() {
    document.querySelectorAll("[data-print-fit]").forEach(function (element) {
      element.style.zoom = "";
      var inner = element.querySelector(".rt__grid") || element;
      var scale = Math.min(1, PAGE_WIDTH / inner.scrollWidth, (PAGE_HEIGHT - ABOVE) / inner.scrollHeight);
      element.style.zoom = scale.toFixed(3);
    });
  }

  function unfit() {
    document.querySelectorAll("[data-print-fit]").forEach(function (element) { element.style.zoom = ""; });
  }

  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", unfit);
})();
