/* Status on the reader's date: a static page is read for days after it is built.
 *
 * Elements with `data-wl-periods` carry the dates of their approval periods (ISO dates: start and
 * end of the 公示, the day it ended and how: removed or objection_upheld). From the reader's
 * clock and the working-day calendar the build writes once for all pages (calendar.js), this script
 * tells the status (公示中 / 已入库 / 已移出 / 未予入库), shows the children written for it
 * (`data-wl-when`, one or more statuses), hides the others, and counts the working days left
 * (`data-wl-left`, the reader's day included), and `data-wl-count` counts the elements (the
 * directory's rows) of one status. The build writes every text; the script only chooses, and puts
 * the reader's date into `data-wl-asof` and the build date into the footer (`data-wl-built`).
 * Without JavaScript a page shows the status on the build date; pages in the navigation name that
 * date, the others (one per enterprise) say "as of the site's last update" so that they stay the
 * same bytes from build to build.
 *
 * The reader's date is never taken as earlier than the build date: the page knows nothing older.
 */
(function () {
  "use strict";

  var DAY = 86400000;

  function parse(iso) {
    var parts = iso.split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function chineseDate(time) {
    var day = new Date(time);
    return day.getUTCFullYear() + "年" + (day.getUTCMonth() + 1) + "月" + day.getUTCDate() + "日";
  }

  function readerDate(built) {
    var now = new Date();
    return Math.max(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()), built);
  }

  function calendar() {
    var data = typeof wlCalendar === "object" && wlCalendar !== null ? wlCalendar : {};
    var holidays = {};
    var workdays = {};
    (data.holidays || []).forEach(function (iso) {
      holidays[parse(iso)] = true;
    });
    (data.workdays || []).forEach(function (iso) {
      workdays[parse(iso)] = true;
    });
    return {
      built: data.built ? parse(data.built) : null,
      isWorkday: function (time) {
        if (workdays[time]) {
          return true;
        }
        var weekday = new Date(time).getUTCDay();
        return weekday !== 0 && weekday !== 6 && !holidays[time];
      }
    };
  }

  function status(periods, today) {
    var period = periods[periods.length - 1];
    if (!period || today < parse(period.start)) {
      return null;
    }
    if (period.ended_on && parse(period.ended_on) <= today) {
      return period.ended_by === "objection_upheld" ? "未予入库" : "已移出";
    }
    return today <= parse(period.end) ? "公示中" : "已入库";
  }

  function workdaysLeft(work, today, end) {
    var count = 0;
    for (var time = today; time <= end; time += DAY) {
      count += work.isWorkday(time) ? 1 : 0;
    }
    return count;
  }

  function init() {
    var work = calendar();
    if (work.built === null) {
      return;
    }
    var today = readerDate(work.built);
    document.querySelectorAll("[data-wl-periods]").forEach(function (element) {
      var periods = JSON.parse(element.dataset.wlPeriods);
      var found = status(periods, today);
      if (found === null) {
        return;
      }
      element.dataset.status = found;
      element.querySelectorAll("[data-wl-when]").forEach(function (variant) {
        variant.hidden = variant.dataset.wlWhen.split(" ").indexOf(found) === -1;
      });
      var end = parse(periods[periods.length - 1].end);
      element.querySelectorAll("[data-wl-left]").forEach(function (left) {
        left.textContent = String(workdaysLeft(work, today, end));
      });
    });
    document.querySelectorAll("[data-wl-count]").forEach(function (count) {
      var total = document.querySelectorAll('[data-status="' + count.dataset.wlCount + '"]').length;
      count.textContent = String(total);
      var wrap = count.closest("[data-wl-count-wrap]");
      if (wrap) {
        wrap.hidden = total === 0;
      }
    });
    document.querySelectorAll("[data-wl-asof]").forEach(function (element) {
      element.textContent = chineseDate(today);
    });
    document.querySelectorAll("[data-wl-built]").forEach(function (element) {
      element.textContent = chineseDate(work.built);
    });
    document.querySelectorAll("[data-wl-updated]").forEach(function (element) {
      element.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
