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
