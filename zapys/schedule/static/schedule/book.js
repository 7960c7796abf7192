// Public booking: the chosen day stays in view in the horizontally scrolling day strip (on a
// phone, a day a week ahead would otherwise sit off-screen after the page reloads).
(function () {
  var strip = document.querySelector("[data-day-strip]");
  var current = strip && strip.querySelector("[aria-current]");
  if (!current) return;
  var left = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  strip.scrollLeft = Math.max(0, left);
})();
