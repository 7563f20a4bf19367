// Anpei: small progressive enhancements; every page works without this file.
// After htmx swaps search results in, move focus to them so keyboard and screen-reader
// users land on what changed.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = document.getElementById("results");
  if (target && event.detail && event.detail.target && event.detail.target.id === "results") {
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  }
});
