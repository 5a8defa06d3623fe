/* Filter-as-you-type and facets for the whitelist directory (whitelist/index.html).
 *
 * Plain JavaScript, no framework, no network. Without JavaScript the page is the complete
 * table and the filter form stays hidden. Links may preselect filters with query parameters:
 * whitelist/index.html?township=新集镇&kw=纺织 (the statistics page links this way).
 */
(function () {
  "use strict";

  function init() {
    var table = document.getElementById("wl-directory");
    var form = document.getElementById("wl-filter");
    if (!table || !form || form.dataset.ready) {
      return;
    }
    form.dataset.ready = "1";
    var keyword = document.getElementById("wl-keyword");
    var count = document.getElementById("wl-count");
    var empty = document.getElementById("wl-empty");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var total = rows.length;

    // Precompute what each row is matched against, once: name, credit code and township.
    var entries = rows.map(function (row) {
      return {
        row: row,
        text: normalise([row.cells[0].textContent, row.cells[1].textContent, row.cells[4].textContent].join(" ")),
        sector: row.dataset.sector,
        qualification: row.dataset.qualification.split("|"),
        township: row.dataset.township,
        round: row.dataset.round,
        shown: true
      };
    });

    function normalise(text) {
      // Full-width letters and digits typed on a Chinese keyboard match their half-width forms.
      return (text.normalize ? text.normalize("NFKC") : text).toLowerCase().replace(/\s+/g, "");
    }

    function apply() {
      var words = normalise(keyword.value);
      var facets = {};
      selects.forEach(function (select) {
        facets[select.dataset.facet] = select.value;
      });
      var visible = 0;
      entries.forEach(function (entry) {
        var show =
          (!words || entry.text.indexOf(words) !== -1) &&
          (!facets.sector || entry.sector === facets.sector) &&
          (!facets.qualification || entry.qualification.indexOf(facets.qualification) !== -1) &&
          (!facets.township || entry.township === facets.township) &&
          (!facets.round || entry.round === facets.round);
        if (show !== entry.shown) {
          entry.row.hidden = !show;
          entry.shown = show;
        }
        if (show) {
          visible += 1;
        }
      });
      count.textContent = visible === total ? "共 " + total + " 家" : "显示 " + visible + " 家（共 " + total + " 家）";
      empty.hidden = visible !== 0;
    }

    var pending = null;
    keyword.addEventListener("input", function () {
      // Coalesce fast typing into one pass over the rows per animation frame.
      if (pending === null) {
        pending = window.requestAnimationFrame(function () {
          pending = null;
          apply();
        });
      }
    });
    selects.forEach(function (select) {
      select.addEventListener("change", apply);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(apply, 0);
    });

    var params = new URLSearchParams(window.location.search);
    if (params.get("kw")) {
      keyword.value = params.get("kw");
    }
    selects.forEach(function (select) {
      var wanted = params.get(select.dataset.facet);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
        select.value = wanted;
      }
    });
    form.hidden = false;
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
