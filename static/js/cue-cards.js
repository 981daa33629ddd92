// Cue cards: the left and right arrow keys turn the cards, as the "Previous" and "Next" links do
// (the links work without this file). Keys typed into a field, or with a modifier, are left alone.
(function () {
  "use strict";

  var KEYS = { ArrowLeft: "prev", ArrowRight: "next" };

  document.addEventListener("keydown", function (event) {
    var rel = KEYS[event.key];
    if (!rel || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var link = document.querySelector(".cue-nav a[rel='" + rel + "']");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
