// Rapport's own behaviour on top of htmx. Kept small: the server renders
// HTML; this only wires CSRF into htmx requests and a few conveniences.
(function () {
  "use strict";
  // Every htmx request that changes state carries the CSRF token from the
  // page's meta tag, the same token forms send as a hidden field.
  document.addEventListener("htmx:configRequest", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      evt.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });
  // Show server errors from htmx swaps instead of failing silently.
  document.addEventListener("htmx:responseError", function (evt) {
    var box = document.getElementById("flash");
    if (!box) return;
    var xhr = evt.detail.xhr;
    var msg = "Something went wrong (" + xhr.status + ").";
    try {
      var problem = JSON.parse(xhr.responseText);
      if (problem.detail) msg = problem.detail;
    } catch (e) {
      if (xhr.responseText && xhr.getResponseHeader("Content-Type") && xhr.getResponseHeader("Content-Type").indexOf("text/plain") === 0) {
        msg = xhr.responseText;
      }
    }
    box.textContent = msg;
    box.className = "flash flash-error";
    box.hidden = false;
  });
  // Remove a chosen participant chip (the composer's "also with").
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-remove-chip]");
    if (btn) btn.closest(".chip").remove();
  });
  // A contact picked from a picker's results joins its list; the results
  // and the search go, and the search box is ready for the next one.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var results = evt.detail.elt.closest && evt.detail.elt.closest(".picker-results");
    if (!results || !evt.detail.successful) return;
    results.innerHTML = "";
    var search = results.parentNode.querySelector('input[type="search"]');
    if (search) {
      search.value = "";
      search.focus();
    }
  });
  // Buttons that stand in for script (the edit form's Find) go when there
  // is script, so that they are not the default button Enter presses.
  document.addEventListener("htmx:load", function (evt) {
    evt.detail.elt.querySelectorAll("[data-without-script]").forEach(function (el) { el.remove(); });
  });
  // Enter in a picker's search box waits for the results rather than
  // submitting the form around it.
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" && evt.target.matches && evt.target.matches('input[type="search"][hx-get^="/contacts/picker"], input[type="search"][hx-get^="/colleagues/picker"], input[type="search"][hx-get^="/users/picker"]')) {
      evt.preventDefault();
    }
  });
  // The navigation toggle on narrow screens.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-nav-toggle]");
    if (!btn) return;
    var nav = document.getElementById(btn.getAttribute("aria-controls"));
    var open = btn.getAttribute("aria-expanded") === "true";
    btn.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
})();
