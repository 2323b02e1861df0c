/* Timeline roadmaps: drag a bar to move it, drag its right edge to resize it.
   New dates come from the x offset and the layout's px/day (data-px-per-day on the SVG);
   the server (roadmap.views.timeline) applies them through the services and answers JSON.
   On a refusal the bar snaps back and the reason is shown next to it. Without JavaScript,
   each bar is a link to its page, whose Edit form changes the dates. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function addDays(iso, days) {
    var parts = iso.split("-").map(Number);
    var d = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days));
    return d.toISOString().slice(0, 10);
  }

  function toast(widget, bar, message) {
    var box = widget.querySelector(".rt-toast");
    if (!box) return;
    var rect = bar.querySelector(".rt-bar__box");
    box.textContent = message;
    box.style.left = Math.max(0, Number(rect.getAttribute("x"))) + "px";
    box.style.top = (Number(rect.getAttribute("y")) + Number(rect.getAttribute("height")) + 6) + "px";
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function refresh() {
    var results = document.getElementById("timeline-results");
    if (window.htmx && results) {
      window.htmx.ajax("GET", window.location.href, { target: "#timeline-results", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function setup(widget) {
    if (widget.dataset.tlReady) return;
    widget.dataset.tlReady = "1";
    var svg = widget.querySelector("svg.rt-body");
    if (!svg) return;
    var pxPerDay = Number(svg.dataset.pxPerDay);
    var drag = null;
    var suppressClick = false;

    widget.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var bar = event.target.closest(".rt-bar--movable");
      if (!bar) return;
      var box = bar.querySelector(".rt-bar__box");
      drag = {
        bar: bar, box: box, startX: event.clientX, dx: 0, moved: false,
        mode: event.target.classList.contains("rt-handle") ? "resize" : "move",
        width: Number(box.getAttribute("width")), pointerId: event.pointerId,
      };
    });

    widget.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.pointerId) return;
      drag.dx = event.clientX - drag.startX;
      if (!drag.moved && Math.abs(drag.dx) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        drag.bar.classList.add("is-dragging");
        try { drag.bar.setPointerCapture(event.pointerId); } catch (e) { /* not supported */ }
      }
      var snapped = Math.round(drag.dx / pxPerDay) * pxPerDay;
      if (drag.mode === "move") {
        drag.bar.setAttribute("transform", "translate(" + snapped + " 0)");
      } else {
        drag.box.setAttribute("width", Math.max(6, drag.width + snapped));
      }
      event.preventDefault();
    });

    function snapBack(d) {
      d.bar.removeAttribute("transform");
      d.box.setAttribute("width", d.width);
      d.bar.classList.remove("is-dragging", "is-saving");
    }

    function finish(event) {
      if (!drag || event.pointerId !== drag.pointerId) return;
      var d = drag;
      drag = null;
      if (!d.moved) return;
      suppressClick = true;
      setTimeout(function () { suppressClick = false; }, 0);
      var days = Math.round(d.dx / pxPerDay);
      if (days === 0) { snapBack(d); return; }
      var bar = d.bar;
      var start = bar.dataset.start, end = bar.dataset.end;
      var newStart = d.mode === "move" ? addDays(start, days) : start;
      var newEnd = addDays(end, days);
      var kind = bar.dataset.kind;
      var url = widget.dataset[kind + "Url"];
      var body = new URLSearchParams();
      if (kind === "feature") body.set("number", bar.dataset.number); else body.set("pk", bar.dataset.pk);
      body.set("start", newStart);
      body.set("end", newEnd);
      body.set("version", bar.dataset.version || "");
      bar.classList.remove("is-dragging");
      bar.classList.add("is-saving");
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok && data.ok) { refresh(); return; }
          snapBack(d);
          toast(widget, bar, data.error || "That change was refused (" + response.status + ").");
        });
      }).catch(function () {
        snapBack(d);
        toast(widget, bar, "Could not reach the server; nothing was changed.");
      });
    }

    widget.addEventListener("pointerup", finish);
    widget.addEventListener("pointercancel", function (event) {
      if (drag && event.pointerId === drag.pointerId) { snapBack(drag); drag = null; }
    });
    widget.addEventListener("click", function (event) {
      if (suppressClick && event.target.closest(".rt-link")) { event.preventDefault(); suppressClick = false; }
    }, true);
    widget.addEventListener("dragstart", function (event) {
      if (event.target.closest && event.target.closest(".rt-link")) event.preventDefault();
    });

  }

  function init(root) {
    (root || document).querySelectorAll("[data-timeline]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
  if (document.readyState !== "loading") init(document);
})();
