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


  // The top bar's search: Ctrl-K (Cmd-K on a Mac) focuses it from anywhere; while typing, htmx
  // fills the dropdown; the arrow keys move between its links, Escape closes it.
  function searchForm() { return document.querySelector("form[data-search]"); }
  function searchLinks(form) { return Array.prototype.slice.call(form.querySelectorAll(".search-drop a")); }
  function closeSearch(form) { var drop = form.querySelector(".search-drop"); if (drop) drop.innerHTML = ""; }

  document.addEventListener("keydown", function (event) {
    var form = searchForm();
    if (!form) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      var input = form.querySelector("input[type=search]");
      input.focus();
      input.select();
      return;
    }
    if (!form.contains(document.activeElement)) return;
    var links = searchLinks(form);
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (at <= 0) form.querySelector("input[type=search]").focus();
      else links[at - 1].focus();
    } else if (event.key === "Escape") {
      closeSearch(form);
      form.querySelector("input[type=search]").focus();
    }
  });
  document.addEventListener("click", function (event) {
    var form = searchForm();
    if (form && !form.contains(event.target)) closeSearch(form);
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
