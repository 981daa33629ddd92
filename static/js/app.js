// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-HTTP intranets, where the Clipboard API is unavailable.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "copy-buffer";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function announce(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = message;
    if (status) { status.textContent = message; }
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }

  // A copy is recorded in the access log, like a view. The text is already on the clipboard:
  // a failed record is not the reader's problem, so nothing is shown for it.
  function recordCopy(button) {
    var url = button.getAttribute("data-record-url");
    if (!url || !window.fetch) { return; }
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": button.getAttribute("data-csrf") || "" }
    }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) { return; }
        copyText(target.textContent.trim()).then(
          function () { recordCopy(button); announce(button, button.getAttribute("data-copied") || "Copied"); },
          function () { announce(button, button.getAttribute("data-failed") || "Select the text to copy it"); }
        );
      });
    });
  });
})();
