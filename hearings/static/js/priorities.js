/* Running total for knapsack and points ballots. Progressive: the server checks every ballot. */
(function () {
  "use strict";
  function fmt(n) {
    return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  }
  function setup(form) {
    var out = form.querySelector("[data-pb-total]");
    if (!out) { return; }
    var kind = form.getAttribute("data-kind");
    var limit = Number(form.getAttribute("data-limit"));
    function update() {
      var total = 0;
      if (kind === "cumulative") {
        form.querySelectorAll("input[data-points]").forEach(function (input) {
          var v = parseInt(input.value, 10);
          if (v > 0) { total += v; }
        });
      } else {
        form.querySelectorAll("input[name=p]:checked").forEach(function (input) {
          total += Number(input.getAttribute("data-cost"));
        });
      }
      var left = limit - total;
      var msg = out.getAttribute(left >= 0 ? "data-msg-ok" : "data-msg-over");
      out.textContent = msg.replace("{total}", fmt(total)).replace("{limit}", fmt(limit))
        .replace("{left}", fmt(Math.abs(left)));
      out.classList.toggle("over", left < 0);
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    out.hidden = false;
    update();
  }
  document.querySelectorAll("form[data-pb-ballot]").forEach(setup);
}());
