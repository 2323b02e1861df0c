// Drag and drop for the planning pages (backlog ranking, board columns), plus the
// selection of the backlog's bulk bar. Every action here also works without this file:
// move buttons and card forms post normally and the server redirects back.
//
// Writes go out with fetch and `X-Requested-With: fetch`; the server answers 204 (rank),
// the card's new HTML (board), or an error as JSON {"error": "..."}. When a write is
// refused, the row or card goes back where it was and the reason is shown next to it.
(function () {
  "use strict";

  // --- requests ------------------------------------------------------------------------

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    if (headers) {
      try {
        var token = JSON.parse(headers)["X-CSRFToken"];
        if (token) return token;
      } catch (e) { /* fall back to the cookie */ }
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, data) {
    var body = new URLSearchParams();
    Object.keys(data).forEach(function (name) {
      body.append(name, data[name] == null ? "" : String(data[name]));
    });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch", "Accept": "application/json, text/html"}
    });
  }

  function reasonOf(response) {
    return response.text().then(function (text) {
      try {
        var data = JSON.parse(text);
        if (data && data.error) return data.error;
      } catch (e) { /* not JSON: a plain error page */ }
      if (response.status === 403) return "Your role in this workspace does not allow this.";
      if (response.status === 404) return "That feature no longer exists. Reload the page.";
      return "That did not work (error " + response.status + "). Reload the page and try again.";
    });
  }

  var NETWORK_ERROR = "The server could not be reached. Check your connection and try again.";

  function announce(root, message, isError) {
    var status = (root || document).querySelector("[data-planning-status]") ||
      document.querySelector("[data-planning-status]");
    if (!status) return;
    status.textContent = message;
    status.hidden = !message;
    status.classList.toggle("is-error", !!isError);
    clearTimeout(status._timer);
    if (message && !isError) status._timer = setTimeout(function () { status.hidden = true; }, 4000);
  }

  // --- backlog: ranking ------------------------------------------------------------------

  function rowsOf(tbody) {
    return Array.prototype.slice.call(tbody.querySelectorAll("tr[data-number]"));
  }

  function numberOf(row) {
    return row ? row.getAttribute("data-number") : "";
  }

  function refreshMoveButtons(table) {
    var rows = rowsOf(table.tBodies[0]);
    var filtered = table.hasAttribute("data-filtered");
    if (!filtered && rows.length) table.setAttribute("data-top", numberOf(rows[0]));
    var top = table.getAttribute("data-top");
    rows.forEach(function (row, i) {
      var up = row.querySelector('[data-move="up"]');
      var down = row.querySelector('[data-move="down"]');
      var toTop = row.querySelector('[data-move="top"]');
      if (up) up.hidden = i === 0;
      if (down) down.hidden = i === rows.length - 1;
      if (toTop) toTop.hidden = !top || top === numberOf(row);
    });
  }

  function flashRow(row, message) {
    var cell = row.querySelector(".brow__title");
    var old = row.querySelector(".brow__error");
    if (old) old.remove();
    if (!message || !cell) return;
    var note = document.createElement("span");
    note.className = "brow__error";
    note.setAttribute("role", "alert");
    note.textContent = message;
    cell.appendChild(note);
    setTimeout(function () { note.remove(); }, 8000);
  }

  // Send the move of `row` (already placed in the DOM); on refusal put it back before `home`.
  function sendRank(table, row, after, before, home) {
    row.classList.add("is-pending");
    flashRow(row, "");
    return post(table.getAttribute("data-rank-url"), {feature: numberOf(row), after: after, before: before})
      .then(function (response) {
        row.classList.remove("is-pending");
        if (response.ok) {
          refreshMoveButtons(table);
          announce(table.closest("#backlog-results"), row.getAttribute("data-key") + " moved.", false);
          return;
        }
        return reasonOf(response).then(function (reason) { undo(reason); });
      }, function () { row.classList.remove("is-pending"); undo(NETWORK_ERROR); });

    function undo(reason) {
      home.parent.insertBefore(row, home.next && home.next.parentNode === home.parent ? home.next : null);
      refreshMoveButtons(table);
      flashRow(row, reason);
    }
  }

  // The rows around `row`; the row that loads the next window (last in the body) is none.
  function neighbours(row) {
    var previous = row.previousElementSibling, next = row.nextElementSibling;
    return {after: previous && previous.matches("tr[data-number]") ? numberOf(previous) : "",
            before: next && next.matches("tr[data-number]") ? numberOf(next) : ""};
  }

  var dragRow = null;
  var dragHome = null;

  document.addEventListener("mousedown", function (event) {
    var handle = event.target.closest(".drag-handle");
    if (!handle) return;
    var row = handle.closest("tr[data-number]");
    if (row && row.closest("table.is-rankable")) row.draggable = true;
  });
  document.addEventListener("mouseup", function () {
    document.querySelectorAll("tr[draggable=true]").forEach(function (row) {
      if (row !== dragRow) row.draggable = false;
    });
  });

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("table.is-rankable tr[data-number]");
    if (row && row.draggable) {
      dragRow = row;
      dragHome = {parent: row.parentNode, next: row.nextElementSibling};
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-key"));
      return;
    }
    var card = event.target.closest && event.target.closest(".kcard[draggable=true]");
    if (card) startCardDrag(card, event);
  });

  document.addEventListener("dragover", function (event) {
    if (dragRow) {
      var over = event.target.closest && event.target.closest("tr[data-number]");
      if (!over || over.parentNode !== dragRow.parentNode) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (over === dragRow) return;
      var box = over.getBoundingClientRect();
      var below = event.clientY > box.top + box.height / 2;
      over.parentNode.insertBefore(dragRow, below ? over.nextElementSibling : over);
      return;
    }
    if (dragCard) cardDragOver(event);
  });

  document.addEventListener("drop", function (event) {
    if (dragRow) { event.preventDefault(); return; }
    if (dragCard) cardDrop(event);
  });

  document.addEventListener("dragend", function () {
    if (dragRow) {
      var row = dragRow, home = dragHome;
      dragRow = null;
      row.classList.remove("is-dragging");
      row.draggable = false;
      if (row.parentNode === home.parent && row.nextElementSibling === home.next) return;
      var around = neighbours(row);
      sendRank(row.closest("table"), row, around.after, around.before, home);
      return;
    }
    if (dragCard) endCardDrag();
  });

  // Move buttons: the same request as a drop, computed from where the rows are now.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) return;
    var row = button.closest("tr[data-number]");
    var table = row && row.closest("table[data-rank-url]");
    if (!table || !window.fetch) return;
    event.preventDefault();
    var tbody = row.parentNode;
    var home = {parent: tbody, next: row.nextElementSibling};
    var direction = button.getAttribute("data-move");
    var after, before;
    if (direction === "up") {
      var previous = row.previousElementSibling;
      if (!previous) return;
      tbody.insertBefore(row, previous);
    } else if (direction === "down") {
      var next = row.nextElementSibling;
      if (!next || !next.matches("tr[data-number]")) return;
      tbody.insertBefore(row, next.nextElementSibling);
    } else {
      var top = table.getAttribute("data-top");
      if (!top || top === numberOf(row)) return;
      tbody.insertBefore(row, tbody.firstElementChild);
      after = "";
      before = top;
      table.setAttribute("data-top", numberOf(row));
    }
    if (direction !== "top") {
      var around = neighbours(row);
      after = around.after;
      before = around.before;
    }
    row.scrollIntoView({block: "nearest"});
    sendRank(table, row, after, before, home).then(function () {
      if (!button.hidden) button.focus();
      else {
        var other = row.querySelector("[data-move]:not([hidden])");
        if (other) other.focus();
      }
    });
  });

  // --- backlog: selection and the bulk bar ----------------------------------------------------

  function selectionIn(root) {
    return Array.prototype.slice.call(root.querySelectorAll("input[data-select]"));
  }

  // "Select all N matching": the change goes to every feature the filters select, loaded
  // into the page or not (the server reads the filters from the form's `matching`).
  function allMatching(form) {
    var field = form && form.querySelector("[data-all-matching]");
    return !!field && field.value === "1";
  }

  function setAllMatching(root, on) {
    var form = root.querySelector("[data-bulk-form]");
    var field = form && form.querySelector("[data-all-matching]");
    if (field) field.value = on ? "1" : "";
  }

  function refreshBulk(root) {
    var form = root.querySelector("[data-bulk-form]");
    if (!form) return;
    var boxes = selectionIn(root);
    if (allMatching(form)) boxes.forEach(function (box) { box.checked = true; });
    var chosen = boxes.filter(function (box) { return box.checked; });
    form.classList.add("is-enhanced");
    form.classList.toggle("is-idle", chosen.length === 0);
    var matching = form.querySelector("[data-select-matching]");
    var count = form.querySelector("[data-selected-count]");
    if (count) {
      count.textContent = allMatching(form) && matching
        ? "All " + matching.getAttribute("data-total") + " features selected"
        : chosen.length ? chosen.length + " selected" : "Select features to change several at once";
    }
    if (matching) matching.hidden = allMatching(form) || !boxes.length || chosen.length !== boxes.length;
    var clear = form.querySelector("[data-clear-selection]");
    if (clear) clear.hidden = chosen.length === 0;
    form.querySelectorAll("select, input, button[type=submit]").forEach(function (control) {
      if (control.name === "csrfmiddlewaretoken" || control.name === "next") return;
      control.disabled = chosen.length === 0;
    });
    var all = root.querySelector("[data-select-all]");
    if (all) {
      all.hidden = false;
      all.checked = boxes.length > 0 && chosen.length === boxes.length;
      all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    }
    boxes.forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("is-selected", box.checked);
    });
    var action = form.querySelector("[data-bulk-action]");
    form.querySelectorAll("[data-bulk-value]").forEach(function (group) {
      group.hidden = !action || group.getAttribute("data-bulk-value") !== action.value;
    });
  }

  // The status menu's button says how many statuses (or a category) narrow the list.
  function refreshFilterMenu(menu) {
    var chosen = menu.querySelectorAll('input[type="checkbox"]:checked').length;
    var category = menu.querySelector("select");
    var count = chosen || (category && category.value ? 1 : 0);
    var badge = menu.querySelector("[data-filter-count]");
    if (badge) {
      badge.textContent = count;
      badge.hidden = !count;
    }
    var summary = menu.querySelector("summary");
    if (summary) summary.classList.toggle("is-active", count > 0);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var menu = target.closest(".filter-menu");
    if (menu) refreshFilterMenu(menu);
    var root = target.closest("#backlog-results");
    if (!root) {
      if (target.matches("[data-autosubmit]") && target.form) target.form.submit();
      return;
    }
    if (target.matches("[data-select-all]")) {
      selectionIn(root).forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select], [data-select-all]") && !target.checked) setAllMatching(root, false);
    if (target.matches("[data-select], [data-select-all], [data-bulk-action]")) refreshBulk(root);
  });

  document.addEventListener("click", function (event) {
    var matching = event.target.closest("[data-select-matching]");
    if (matching) {
      var results = matching.closest("#backlog-results");
      setAllMatching(results, true);
      refreshBulk(results);
      return;
    }
    var clear = event.target.closest("[data-clear-selection]");
    if (!clear) return;
    var root = clear.closest("#backlog-results");
    setAllMatching(root, false);
    selectionIn(root).forEach(function (box) { box.checked = false; });
    refreshBulk(root);
  });

  // The link of the row that loads the next window works without JavaScript; with it, htmx
  // loads the window into the page instead.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-more] a");
    if (link && window.htmx) event.preventDefault();
  });

  // After a window arrives: a row already on the page (moved or edited while the window was
  // on its way) keeps its place, and the count says how many rows are loaded.
  function settleWindow(results) {
    var seen = {};
    rowsOf(results.querySelector("tbody[data-rows]") || results).forEach(function (row) {
      if (seen[row.id]) row.remove();
      else seen[row.id] = true;
    });
    var shown = results.querySelector("[data-shown]");
    if (shown) shown.textContent = rowsOf(results).length.toLocaleString("en");
  }

  // --- board ------------------------------------------------------------------------------------

  var dragCard = null;
  var cardHome = null;

  function formatPoints(sum) {
    var rounded = Math.round(sum * 10) / 10;
    return String(rounded);
  }

  // A column shows only its first cards (more load as it scrolls), so its count and sum,
  // the totals of the whole column, change by the card that arrives or leaves.
  function adjustColumn(column, card, sign) {
    if (!column) return;
    var count = column.querySelector("[data-count]");
    var total = column.querySelector("[data-sum]");
    if (count) count.textContent = Math.max(0, (parseInt(count.textContent, 10) || 0) + sign);
    if (total) {
      var sum = (parseFloat(total.textContent) || 0) + sign * (parseFloat(card.getAttribute("data-estimate")) || 0);
      total.textContent = formatPoints(Math.max(0, sum));
    }
    var empty = column.querySelector(".kcol__empty");
    if (empty) empty.hidden = column.querySelectorAll(".kcard").length > 0;
  }

  // Cards keep the backlog's order inside a column.
  function placeByRank(body, card) {
    var rank = card.getAttribute("data-rank") || "";
    var cards = body.querySelectorAll(".kcard");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i] !== card && (cards[i].getAttribute("data-rank") || "") > rank) {
        body.insertBefore(card, cards[i]);
        return;
      }
    }
    // Past the cards loaded so far: at their end, before "Show more" (when those cards
    // load, the card's copy among them takes its place, see settleColumn).
    var end = body.querySelector(":scope > [data-more]") || body.querySelector(".kcol__empty");
    body.insertBefore(card, end && end.parentNode === body ? end : null);
  }

  // After a column's next cards arrive: a card placed at the end by a move meanwhile gives way
  // to its copy in rank order.
  function settleColumn(body) {
    var cards = Array.prototype.slice.call(body.querySelectorAll(".kcard"));
    var last = {};
    cards.forEach(function (card) { last[card.id] = card; });
    cards.forEach(function (card) { if (last[card.id] !== card) card.remove(); });
  }

  function showCardError(card, message) {
    var note = card.querySelector(".kcard__error");
    if (!note) {
      if (!message) return;
      note = document.createElement("p");
      note.className = "kcard__error";
      note.setAttribute("role", "alert");
      card.appendChild(note);
    }
    note.textContent = message || "";
    note.hidden = !message;
  }

  function moveCard(card, body, isUndo) {
    var board = card.closest("[data-board]");
    var fromColumn = card.closest(".kcol");
    var fromBody = card.closest("[data-drop]");
    var toColumn = body.closest(".kcol");
    if (!board || !toColumn || fromColumn === toColumn) return;
    var home = {parent: card.parentNode, next: card.nextElementSibling};
    placeByRank(body, card);
    adjustColumn(fromColumn, card, -1);
    adjustColumn(toColumn, card, 1);
    showCardError(card, "");
    card.classList.add("is-pending");
    var status = toColumn.getAttribute("data-status");
    var columnName = toColumn.querySelector(".kcol__name");
    post(board.getAttribute("data-move-url"), {
      feature: card.getAttribute("data-number"),
      status: status,
      version: card.getAttribute("data-version")
    }).then(function (response) {
      if (response.ok) {
        return response.text().then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          if (fresh) card.replaceWith(fresh);
          else card.classList.remove("is-pending");
          var key = card.getAttribute("data-key");
          var moved = key + " moved to " + (columnName ? columnName.textContent : "its new status") + ".";
          if (isUndo || !fresh || !fromBody) {
            toast(isUndo ? key + " moved back to " + (columnName ? columnName.textContent : "where it was") + "." : moved);
            return;
          }
          // Undo moves it back through the same request, with the card's new version: if
          // someone changed the feature meanwhile, the server refuses and the card stays.
          toast(moved, function () {
            var now = document.getElementById(fresh.id);
            if (now && document.contains(fromBody)) moveCard(now, fromBody, true);
          }, 8);
        });
      }
      return reasonOf(response).then(undo);
    }, function () { undo(NETWORK_ERROR); });

    function undo(reason) {
      card.classList.remove("is-pending");
      home.parent.insertBefore(card, home.next && home.next.parentNode === home.parent ? home.next : null);
      adjustColumn(toColumn, card, -1);
      adjustColumn(fromColumn, card, 1);
      showCardError(card, reason);
      card.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  }

  function startCardDrag(card, event) {
    dragCard = card;
    cardHome = card.closest(".kcol");
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-key"));
    var board = card.closest("[data-board]");
    if (board) board.classList.add("is-dragging");
  }

  // Near the board's left or right edge, a dragged card scrolls the columns along (faster
  // the closer it gets), so every column is reachable; near the window's top or bottom the
  // page scrolls too (swimlanes make the board tall).
  function autoScroll(event) {
    var board = dragCard && dragCard.closest("[data-board]");
    if (!board) return;
    var box = board.getBoundingClientRect();
    var edge = Math.min(96, box.width / 6);
    var right = event.clientX - (box.right - edge);
    var left = box.left + edge - event.clientX;
    if (right > 0) board.scrollLeft += Math.ceil(8 + right / 2);
    else if (left > 0) board.scrollLeft -= Math.ceil(8 + left / 2);
    var high = window.innerHeight;
    if (event.clientY > high - 48) window.scrollBy(0, 24);
    else if (event.clientY < 48) window.scrollBy(0, -24);
  }

  // Where a dragged card would land: a column's body, or a collapsed column as a whole; in
  // swimlanes, only columns of the card's own lane (a drop changes the status, not the lane).
  function dropBodyAt(target) {
    if (!target || !target.closest) return null;
    var body = target.closest("[data-drop]");
    if (!body) {
      var collapsed = target.closest(".kcol.is-collapsed");
      body = collapsed && collapsed.querySelector("[data-drop]");
    }
    if (!body || !dragCard) return body;
    var lane = dragCard.closest(".lane");
    return lane && body.closest(".lane") !== lane ? null : body;
  }

  function cardDragOver(event) {
    autoScroll(event);
    var body = dropBodyAt(event.target);
    document.querySelectorAll(".kcol.is-over").forEach(function (column) {
      if (!body || column !== body.closest(".kcol")) column.classList.remove("is-over");
    });
    if (!body) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var column = body.closest(".kcol");
    if (column !== cardHome) column.classList.add("is-over");
  }

  function cardDrop(event) {
    var body = dropBodyAt(event.target);
    if (!body) return;
    event.preventDefault();
    var card = dragCard;
    endCardDrag();
    moveCard(card, body);
  }

  function endCardDrag() {
    if (!dragCard) return;
    dragCard.classList.remove("is-dragging");
    document.querySelectorAll(".kcol.is-over").forEach(function (column) { column.classList.remove("is-over"); });
    document.querySelectorAll("[data-board].is-dragging").forEach(function (board) {
      board.classList.remove("is-dragging");
    });
    dragCard = null;
    cardHome = null;
  }

  // A card's "Move" menu gets the board's move form when it opens (the server draws the list
  // of statuses once per board, not once per card), with the card's status chosen.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details[data-move-menu]") || !menu.open) return;
    var template = document.getElementById("board-move-template");
    var card = menu.closest(".kcard");
    if (!template || !card || menu.querySelector("[data-move-form]")) return;
    var form = template.content.firstElementChild.cloneNode(true);
    var select = form.querySelector("select");
    select.value = card.getAttribute("data-status");
    select.setAttribute("aria-label", "New status of " + card.getAttribute("data-key"));
    var fallback = menu.querySelector(".kcard__edit");
    if (fallback) fallback.remove();
    menu.appendChild(form);
    select.focus();
  }, true);

  // The card's own "Move" form (keyboard path): the same move, without leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-move-form]");
    if (form && window.fetch) {
      var card = form.closest(".kcard");
      var select = form.querySelector("select[name=status]");
      var board = card && card.closest("[data-board]");
      var scope = card && (card.closest(".lane") || board);
      var column = scope && select && scope.querySelector('.kcol[data-status="' + select.value + '"] [data-drop]');
      if (!column) return;
      event.preventDefault();
      var details = form.closest("details");
      if (details) details.open = false;
      moveCard(card, column);
      var key = card.querySelector(".fkey");
      if (key) key.focus();
      return;
    }
    var bulk = event.target.closest("[data-bulk-form]");
    if (bulk) {
      var root = bulk.closest("#backlog-results");
      if (root && !selectionIn(root).some(function (box) { return box.checked; })) {
        event.preventDefault();
        announce(root, "Select the features to change first.", true);
      }
    }
  });

  // Filters: leave empty fields and the default order out of the request, so the URL that
  // htmx pushes (and people share) says only what narrows the list.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-clean-query]")) return;
    var params = event.detail.parameters;
    var names = [];
    params.forEach(function (value, name) { names.push(name); });
    names.forEach(function (name) {
      var kept = params.getAll(name).filter(function (value) {
        return value !== "" && !(name === "ordering" && value === "rank");
      });
      params.delete(name);
      kept.forEach(function (value) { params.append(name, value); });
    });
  });

  // --- board: collapsed columns, remembered per board in this browser --------------------------

  function collapseKey() { return "waymark.board.collapsed:" + window.location.pathname; }

  function collapsedIds() {
    try { return JSON.parse(window.localStorage.getItem(collapseKey()) || "[]"); } catch (e) { return []; }
  }

  function applyCollapsed(root) {
    var ids = collapsedIds();
    (root || document).querySelectorAll("[data-board] .kcol").forEach(function (column) {
      var collapsed = ids.indexOf(column.getAttribute("data-status")) !== -1;
      column.classList.toggle("is-collapsed", collapsed);
      var button = column.querySelector("[data-collapse]");
      if (button) {
        var name = column.querySelector(".kcol__name");
        button.setAttribute("aria-expanded", collapsed ? "false" : "true");
        button.setAttribute("aria-label", (collapsed ? "Expand " : "Collapse ") + (name ? name.textContent : ""));
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-collapse]");
    if (!button) return;
    var column = button.closest(".kcol");
    var id = column.getAttribute("data-status");
    var ids = collapsedIds().filter(function (other) { return other !== id; });
    if (!column.classList.contains("is-collapsed")) ids.push(id);
    try { window.localStorage.setItem(collapseKey(), JSON.stringify(ids)); } catch (e) { /* private mode */ }
    applyCollapsed(document);
    var again = document.querySelector('[data-board] .kcol[data-status="' + id + '"] [data-collapse]');
    if (again) again.focus();
  });

  // --- backlog: inline edits -------------------------------------------------------------
  // An editable cell is a link to the full form; here, Enter or a click opens its editor in
  // place instead (htmx), Enter saves, Escape puts the cell back. Refusals (400, 409) come
  // back as the editor with its message, so nothing typed is lost.

  // The server draws editable cells bare (a long backlog has thousands): their ids come from
  // here, the version from the row (or from the cell, once an edit has answered it).
  function nameCells(root) {
    (root || document).querySelectorAll("tr[data-number] td.bcell:not([id])").forEach(function (cell) {
      var link = cell.querySelector("a[data-cell]");
      var row = cell.closest("tr[data-number]");
      if (link && row) cell.id = "c-" + row.getAttribute("data-number") + "-" + link.getAttribute("data-cell");
    });
  }

  // A cell link's accessible name says what it changes: "Status of MOB-3: Planned. Change".
  document.addEventListener("focusin", function (event) {
    var link = event.target.closest && event.target.closest("a[data-cell]");
    if (!link) return;
    var row = link.closest("tr[data-number]");
    var table = link.closest("table");
    var cell = link.closest("td");
    var header = table && cell && table.tHead && table.tHead.rows[0].cells[cell.cellIndex];
    var what = header ? (header.getAttribute("title") || header.textContent).trim() : "Value";
    var value = link.textContent.trim();
    link.setAttribute("aria-label", what + " of " + (row ? row.getAttribute("data-key") : "") + ": " +
      (value && value !== "\u2014" ? value : "none") + ". Change");
  });

  function openCell(link) {
    var cell = link.closest("td.bcell");
    var table = link.closest("table[data-inline]");
    if (!cell || !table || !window.htmx) return false;
    nameCells(link.closest("tr"));
    var row = cell.closest("tr[data-number]");
    var version = cell.getAttribute("data-v") || (row && row.getAttribute("data-v")) || "";
    var ordering = table.getAttribute("data-ordering") || "";
    var url = link.href.replace(/edit\/$/, "cell/" + link.getAttribute("data-cell") + "/") +
      "?version=" + encodeURIComponent(version) + (ordering ? "&ordering=" + encodeURIComponent(ordering) : "");
    window.htmx.ajax("GET", url, {target: cell, swap: "outerHTML"});
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-cell]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (openCell(link)) event.preventDefault();
  });

  function cancelCell(form) {
    var cell = form.closest("td");
    window.htmx.ajax("GET", form.getAttribute("data-cancel-url"), {target: cell, swap: "outerHTML"}).then(function () {
      var back = document.getElementById(cell.id);
      var link = back && back.querySelector("a[data-cell]");
      if (link) link.focus();
    });
  }

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-cell-editor]");
    if (!form) return;
    if (event.key === "Escape") {
      event.preventDefault();
      cancelCell(form);
    } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-cell-cancel]");
    if (cancel) cancelCell(cancel.closest("[data-cell-editor]"));
  });

  // A refused inline edit answers 400 or 409 with the editor and its message: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.querySelector &&
        target.querySelector("[data-cell-editor]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Focus follows the edit: into a fresh editor, and back to the cell after a save.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || !/^c-\d+-/.test(target.id)) return;
    var cell = document.getElementById(target.id);
    if (!cell) return;
    var editor = cell.querySelector("[data-cell-editor]");
    if (editor) {
      var invalid = editor.querySelector("[aria-invalid=true]");
      var first = invalid || editor.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
      return;
    }
    var link = cell.querySelector("a[data-cell]");
    if (link && document.activeElement && (document.activeElement === document.body ||
        !document.contains(document.activeElement))) link.focus();
  });

  // --- the confirmation toast, with "Undo" for a few seconds ---------------------------------

  function toastBox() {
    var box = document.getElementById("planning-toast");
    if (box) return box;
    box = document.createElement("div");
    box.id = "planning-toast";
    box.className = "planning-toast";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    document.body.appendChild(box);
    return box;
  }

  // `undo` is a function, called once if the person presses Undo within `seconds`.
  function toast(message, undo, seconds, isError) {
    var box = toastBox();
    clearTimeout(box._timer);
    box.textContent = "";
    box.classList.toggle("is-error", !!isError);
    var text = document.createElement("span");
    text.className = "planning-toast__text";
    text.textContent = message;
    box.appendChild(text);
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn--sm planning-toast__undo";
      button.textContent = "Undo";
      button.setAttribute("data-undo", "");
      button.addEventListener("click", function () {
        clearTimeout(box._timer);
        box.hidden = true;
        undo();
      }, {once: true});
      box.appendChild(button);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "planning-toast__close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(close);
    box.hidden = false;
    box._timer = setTimeout(function () { box.hidden = true; }, (seconds || 5) * 1000);
  }

  document.addEventListener("feature-edited", function (event) {
    var detail = event.detail || {};
    var undo = detail.undo;
    toast(detail.message || "Saved.", undo && function () {
      var target = document.querySelector(undo.target);
      if (!target) return;
      window.htmx.ajax("POST", undo.url, {
        target: target, swap: "outerHTML", values: undo.values, headers: {"X-CSRFToken": csrfToken()}
      });
    }, undo ? undo.seconds : 5);
  });

  // An undo refused (the feature changed meanwhile): say why, change nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var params = event.detail.requestConfig && event.detail.requestConfig.parameters;
    var isUndo = params && (typeof params.get === "function" ? params.get("undo") : params.undo) === "1";
    if (!isUndo) return;
    var reason = "That could not be undone.";
    try { reason = JSON.parse(event.detail.xhr.responseText).error || reason; } catch (e) { /* keep */ }
    toast(reason, null, 10, true);
  });

  // --- set-up ----------------------------------------------------------------------------------

  function enhance(root) {
    applyCollapsed(document);
    nameCells(document);
    document.querySelectorAll("[data-board] [data-drop]").forEach(settleColumn);
    var results = root.id === "backlog-results" ? root : root.querySelector && root.querySelector("#backlog-results");
    if (results) {
      settleWindow(results);
      refreshBulk(results);
      var table = results.querySelector("table[data-rank-url]");
      if (table) refreshMoveButtons(table);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.detail.elt || document); });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
})();
