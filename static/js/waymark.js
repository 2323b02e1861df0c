// Waymark's small progressive enhancements. Every page works without this file:
// menus are <details>, the phone sidebar is a checkbox, forms post normally.
(function () {
  "use strict";

  // Dropdown menus (<details class="menu">): one open at a time, close on an
  // outside click or Escape (returning focus to the button that opened it).
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.menu[open]"));
  }

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.classList.contains("menu") || !menu.open) return;
    openMenus().forEach(function (other) {
      if (other !== menu && !other.contains(menu)) other.removeAttribute("open");
    });
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
    var toggle = document.getElementById("nav-toggle");
    if (toggle && toggle.checked) toggle.checked = false;
  });

  function enhance(root) {
    // Flash messages can be dismissed.
    root.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var flash = button.closest("[data-flash]");
        if (flash) flash.remove();
      });
    });

    // Copy buttons: <button data-copy="#id"> copies the text of #id.
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var label = button.querySelector("[data-copy-label]") || button;
          var before = label.textContent;
          label.textContent = "Copied";
          setTimeout(function () { label.textContent = before; }, 1600);
        });
      });
    });
  }

  // Destructive forms ask first: <form data-confirm="Delete this?">. Handlers live here, not
  // in onsubmit attributes, because the Content-Security-Policy allows no inline script.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Read-only fields holding something to copy select all of it on focus or click.
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) event.target.select();
  });
  document.addEventListener("click", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) event.target.select();
  });

  // Tables behind a <details data-print-open> (a timeline's rows) print open, then close again.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details[data-print-open]:not([open])"),
      function (details) { details.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
