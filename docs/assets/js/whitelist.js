/* Filter-as-you-type and facets for the whitelist directory (whitelist/index.html).
 *
 * Plain JavaScript, no framework, no network. Without JavaScript the page is the complete
 * table and the filter form stays hidden. Links may preselect filters with query parameters:
 * whitelist/index.html?township=新集镇&kw=纺织 (the statistics page links this way).
 *
 * A row's status (公示中 or 已入库) is the one on the reader's date: status.js, which runs
 * first, sets each row's data-status; the status facet's counts are taken from there.
 *
 * Only the first `data-page-size` matching rows are in the table, with a button for the next
 * ones: Chromium takes one to three seconds to hide or show 10,000 rows of Chinese text, and a
 * keystroke must answer at once. Laying out the table costs about a quarter of a millisecond a
 * row on a desktop, so a page of 100 keeps a keystroke well under 100 ms.
 */
(function () {
  "use strict";

  function init() {
    var table = document.getElementById("wl-directory");
    var form = document.getElementById("wl-filter");
    var more = document.getElementById("wl-more");
    if (!table || !form || !more || form.dataset.ready) {
      return;
    }
    form.dataset.ready = "1";
    var keyword = document.getElementById("wl-keyword");
    var count = document.getElementById("wl-count");
    var empty = document.getElementById("wl-empty");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var total = rows.length;
    var pageSize = parseInt(table.dataset.pageSize, 10) || total;
    var matches = [];
    var listed = 0;

    // Precompute what each row is matched against, once: name, credit code and township.
    var entries = rows.map(function (row) {
      return {
        row: row,
        text: normalise([row.cells[0].textContent, row.cells[1].textContent, row.cells[4].textContent].join(" ")),
        sector: row.dataset.sector,
        qualification: row.dataset.qualification.split("|"),
        township: row.dataset.township,
        round: row.dataset.round,
        status: row.dataset.status
      };
    });
    selects.forEach(function (select) {
      if (select.dataset.facet !== "status") {
        return;
      }
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) {
          var count = entries.filter(function (entry) {
            return entry.status === option.value;
          }).length;
          option.textContent = option.dataset.label + "（" + count + "）";
        }
      });
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
      matches = entries.filter(function (entry) {
        return (
          (!words || entry.text.indexOf(words) !== -1) &&
          (!facets.sector || entry.sector === facets.sector) &&
          (!facets.qualification || entry.qualification.indexOf(facets.qualification) !== -1) &&
          (!facets.township || entry.township === facets.township) &&
          (!facets.round || entry.round === facets.round) &&
          (!facets.status || entry.status === facets.status)
        );
      });
      body.textContent = "";
      listed = 0;
      listMore();
      var visible = matches.length;
      count.textContent = visible === total ? "共 " + total + " 家" : "显示 " + visible + " 家（共 " + total + " 家）";
      empty.hidden = visible !== 0;
    }

    function listMore() {
      var fragment = document.createDocumentFragment();
      matches.slice(listed, listed + pageSize).forEach(function (entry) {
        fragment.appendChild(entry.row);
      });
      body.appendChild(fragment);
      listed = Math.min(matches.length, listed + pageSize);
      var rest = matches.length - listed;
      more.hidden = rest === 0;
      more.textContent = "再显示 " + Math.min(rest, pageSize) + " 家（还有 " + rest + " 家）";
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
    more.addEventListener("click", listMore);
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
