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

  // "Copied" is said once: by the status region beside the button, which shows it too. The button
  // keeps its name (a screen reader would read a renamed button as well as the status).
  function announce(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    if (!status) { return; }
    window.clearTimeout(status.copyTimer);
    status.textContent = "";  // emptied first, so that a second copy is announced again
    window.setTimeout(function () {
      status.textContent = message;
      status.copyTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
    }, 50);
  }

  // A copy is recorded in the access log, like a view. The text is already on the clipboard:
  // a failed record is not the reader's problem, so nothing is shown for it.
  function recordCopy(button, withSource) {
    var url = button.getAttribute("data-record-url");
    if (!url || !window.fetch) { return; }
    if (withSource) { url += (url.indexOf("?") === -1 ? "?" : "&") + "source=1"; }
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": button.getAttribute("data-csrf") || "" }
    }).catch(function () {});
  }

  // Security keys (allauth's webauthn.js): a key that does not answer, or a cancelled prompt, is said
  // on the page (#security-key-error, templates/mfa/includes/security_key_script.html), not only in
  // the console.
  document.addEventListener("allauth.error", function (event) {
    var box = document.getElementById("security-key-error");
    if (!box) { return; }
    event.preventDefault();
    box.textContent = "";
    box.hidden = false;
    window.setTimeout(function () { box.textContent = box.getAttribute("data-message"); }, 50);
  });

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // Social media helper: live character count against each platform's limit.
    var words = document.getElementById("limit-words");
    Array.prototype.forEach.call(document.querySelectorAll("[data-count-target]"), function (area) {
      var count = document.getElementById(area.getAttribute("data-count-target"));
      var limits = document.getElementById(area.getAttribute("data-limits-target"));
      function update() {
        var length = Array.from(area.value).length;
        if (count && words) { count.textContent = words.getAttribute("data-chars").replace("%(n)s", length); }
        if (!limits || !words) { return; }
        Array.prototype.forEach.call(limits.querySelectorAll("[data-limit]"), function (item) {
          var remaining = parseInt(item.getAttribute("data-limit"), 10) - length;
          item.classList.toggle("over", remaining < 0);
          item.querySelector(".remaining").textContent = remaining < 0
            ? words.getAttribute("data-over").replace("%(n)s", -remaining)
            : words.getAttribute("data-left").replace("%(n)s", remaining);
        });
      }
      area.addEventListener("input", update);
      update();  // a browser may restore an edited text on "Back": count what is there
    });

    // An editor's typing is kept in this tab (sessionStorage: gone when the tab closes) until the
    // server has it: after a session expired mid-edit, the sign-in brings the editor back to the form,
    // which offers to put the unsaved text back.
    Array.prototype.forEach.call(document.querySelectorAll("[data-draft-saved]"), function (mark) {
      try { window.sessionStorage.removeItem("km-draft:" + mark.getAttribute("data-draft-saved")); } catch (e) { /* off */ }
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-draft]"), function (form) {
      var key = "km-draft:" + form.getAttribute("data-keep-draft");
      var fields = form.querySelectorAll("textarea, input[type=text]");
      var offer = document.querySelector("[data-draft-restore='" + form.getAttribute("data-keep-draft") + "']");
      var stored = null;
      try { stored = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { stored = null; }
      function values() {
        var result = {};
        Array.prototype.forEach.call(fields, function (field) { result[field.name] = field.value; });
        return result;
      }
      var differs = stored && Array.prototype.some.call(fields, function (field) {
        return field.name in stored && stored[field.name] !== field.value;
      });
      if (differs && offer) {
        offer.hidden = false;
        offer.querySelector("button").addEventListener("click", function () {
          Array.prototype.forEach.call(fields, function (field) {
            if (field.name in stored) { field.value = stored[field.name]; }
          });
          offer.hidden = true;
          fields[0].focus();
        });
      } else if (stored) {
        window.sessionStorage.removeItem(key);  // the server has this text now
      }
      form.addEventListener("input", function () {
        try { window.sessionStorage.setItem(key, JSON.stringify(values())); } catch (e) { /* storage full or off */ }
      });
    });

    // "With its source": the copy ends with the message's identifier and edition; the text itself,
    // on the page and on the clipboard, is the canonical text unchanged.
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-option]"), function (option) {
      option.hidden = false;
    });
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) { return; }
        var text = ("value" in target && target.tagName !== "BUTTON") ? target.value : target.textContent;
        var option = document.getElementById(button.getAttribute("data-source-option") || "");
        var withSource = Boolean(option && option.checked && option.getAttribute("data-source"));
        var copied = withSource ? text.trim() + " \u2014 " + option.getAttribute("data-source") : text.trim();
        copyText(copied).then(
          function () { recordCopy(button, withSource); announce(button, button.getAttribute("data-copied") || "Copied"); },
          function () { announce(button, button.getAttribute("data-failed") || "Select the text to copy it"); }
        );
      });
    });
  });
})();
