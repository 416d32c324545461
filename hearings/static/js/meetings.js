/* Hearings: countdown; proceedings forms saved as you type, kept on the phone until saved. */
(function () {
  "use strict";
  var cd = document.querySelector(".countdown[data-starts]");
  if (cd) {
    var starts = new Date(cd.getAttribute("data-starts")).getTime();
    var out = cd.querySelector(".countdown-value");
    var tick = function () {
      var left = Math.max(0, starts - Date.now()), m = Math.floor(left / 60000);
      out.textContent = Math.floor(m / 1440) + " " + cd.dataset.labelDays + " " +
        Math.floor((m % 1440) / 60) + " " + cd.dataset.labelHours + " " + (m % 60) + " " + cd.dataset.labelMinutes;
    };
    tick(); setInterval(tick, 30000);
  }

  function keyOf(form) {
    var k = form.querySelector("input[name$='client_key']");
    return "aimak-draft:" + form.id + ":" + (k ? k.value : location.pathname);
  }
  function stash(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "hidden" && el.type !== "submit") data[el.name] = el.value;
    });
    try { localStorage.setItem(keyOf(form), JSON.stringify(data)); } catch (e) { /* private mode */ }
  }
  function restore(form) {
    var raw = null;
    try { raw = localStorage.getItem(keyOf(form)); } catch (e) { return false; }
    if (!raw) return false;
    var data = JSON.parse(raw);
    Object.keys(data).forEach(function (name) {
      var el = form.elements[name];
      if (el && el.value !== data[name]) el.value = data[name];
    });
    return true;
  }
  function save(form, reload) {
    var state = form.querySelector(".save-state");
    return fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                               headers: {"X-Requested-With": "fetch", "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (res.ok) {
          try { localStorage.removeItem(keyOf(form)); } catch (e) { /* ignore */ }
          if (state) { state.textContent = form.dataset.saved; state.className = "save-state ok"; }
          if (reload) location.reload();
        } else if (state) { state.textContent = res.j.error || form.dataset.failed; state.className = "save-state bad"; }
      })
      .catch(function () {
        if (state) { state.textContent = form.dataset.failed; state.className = "save-state bad"; }
      });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.autosave"), function (form) {
    var timer = null;
    if (restore(form)) save(form, false);
    form.addEventListener("input", function () {
      stash(form);
      clearTimeout(timer);
      timer = setTimeout(function () { save(form, false); }, 2000);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      stash(form);
      save(form, true);
    });
  });
})();
