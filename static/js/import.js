// The import upload form's drop zone. Without this script the form is a
// plain file input and works the same; with it, a file dropped anywhere on
// the zone is put into that input, and the chosen file's name and size are
// shown whichever way it was chosen. The content security policy allows no
// inline script, hence this file.
(function () {
  "use strict";

  function size(n) {
    if (n < 1024) return n + " bytes";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + " MB";
    return (n / 1024 / 1024 / 1024).toFixed(2) + " GB";
  }

  function show(zone, input) {
    var out = zone.querySelector("[data-drop-file]");
    var f = input.files && input.files[0];
    // A file past the server's limit is refused here, before minutes of
    // uploading end in a refusal.
    var max = Number(zone.getAttribute("data-max-bytes")) || 0;
    var tooBig = !!f && max > 0 && f.size > max;
    var why = tooBig ? "This file is larger than the " + zone.getAttribute("data-max-text") +
      " an upload may import. Split it, or ask an administrator to import it on the server." : "";
    input.setCustomValidity(why);
    out.textContent = f ? "Chosen: " + f.name + " (" + size(f.size) + ")" + (tooBig ? ". " + why : "") : "";
    zone.classList.toggle("has-file", !!f);
  }

  function wire(zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) return;
    var depth = 0; // dragenter and dragleave fire for every child crossed
    zone.classList.add("drop-ready");
    zone.addEventListener("dragenter", function (evt) {
      evt.preventDefault();
      depth++;
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragover", function (evt) {
      evt.preventDefault(); // without it the browser opens the file instead
      if (evt.dataTransfer) evt.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", function (evt) {
      evt.preventDefault();
      depth = 0;
      zone.classList.remove("dragging");
      var files = evt.dataTransfer && evt.dataTransfer.files;
      if (!files || files.length === 0) return;
      input.files = files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });
    input.addEventListener("change", function () {
      show(zone, input);
    });
    show(zone, input); // a file kept by the browser on going back
  }

  function init() {
    document.querySelectorAll("[data-drop-zone]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
