/* The text-size switch (标准 / 大 / 特大) at the top of every page, for older readers (适老化).
 *
 * The choice is a class on <html> that scales the root font size, so every rem-sized part of the
 * page grows with it; it is remembered in localStorage and applied before the first paint by a
 * one-line script in the page head. Without JavaScript the switch stays hidden (it could do nothing).
 */
(function () {
  "use strict";

  var SIZES = ["standard", "large", "xlarge"];
  var KEY = "wl-text-size";

  function remembered() {
    try {
      var size = window.localStorage.getItem(KEY);
      return SIZES.indexOf(size) === -1 ? "standard" : size;
    } catch (error) {
      return "standard"; // storage refused (private mode, file:// policies): the size is not kept
    }
  }

  function apply(size, buttons) {
    var root = document.documentElement;
    SIZES.forEach(function (name) {
      root.classList.toggle("wl-text-" + name, name === size && name !== "standard");
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.size === size));
    });
  }

  function init() {
    var group = document.querySelector(".wl-textsize");
    if (!group || group.dataset.ready) {
      return;
    }
    group.dataset.ready = "1";
    var buttons = Array.prototype.slice.call(group.querySelectorAll("button[data-size]"));
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var size = button.dataset.size;
        try {
          window.localStorage.setItem(KEY, size);
        } catch (error) {
          // Not remembered, but still applied to this page.
        }
        apply(size, buttons);
      });
    });
    apply(remembered(), buttons);
    group.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
