/* The enterprise's pages: "can I apply?" (apply/check.html) and the application typed in the
 * browser (apply/form.html).
 *
 * Plain JavaScript, no network: it works from file:// and sends nothing anywhere. The form
 * applies the same rules as `wlsite check`, in the same words: the page carries the rule table
 * (#wl-rules, written by the build from the register's own parsers and message templates). The
 * draft stays in this browser's localStorage until the enterprise clears it; "print" fills the
 * application form and the commitment letter laid out for A4; "save" downloads the application
 * file that staff import with `wlsite import`.
 */
(function () {
  "use strict";

  var DRAFT_KEY = "wlsite-application-draft";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : "";
    });
  }

  /* --- the rules, as the register's parsers apply them ---------------------------------------- */

  function Rules(table) {
    this.table = table;
    this.say = function (code, values) {
      return format(table.messages[code], values || {});
    };
    this.phone = new RegExp(table.phone);
    this.control = makeRegExp("\\p{Cc}");
    this.invisible = makeRegExp("[\\p{Cf}\\p{Co}\\p{Cs}\\p{Cn}\\p{Zl}\\p{Zp}\\u115f\\u1160\\u3164\\uffa0\\u2800]");
    this.markup = /<\s*[\/!?A-Za-z]|&#?[A-Za-z0-9]+;/;
  }

  function makeRegExp(source) {
    try {
      return new RegExp(source, "u");
    } catch (error) {
      // Browsers without Unicode property escapes still refuse control characters.
      return /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
    }
  }

  function codePoint(character) {
    return character.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
  }

  /* One line of plain text: the checks of models.parse_text, in its order. */
  Rules.prototype.text = function (raw) {
    var text = raw.trim();
    if (!text) {
      return { code: "field.empty", message: this.say("field.empty") };
    }
    var length = Array.from(text).length;
    if (length > this.table.maxText) {
      return { code: "text.too_long", message: this.say("text.too_long", { length: length, limit: this.table.maxText }) };
    }
    var characters = Array.from(text);
    for (var i = 0; i < characters.length; i += 1) {
      if (this.control.test(characters[i])) {
        return { code: "text.control", message: this.say("text.control", { code: codePoint(characters[i]) }) };
      }
      if (this.invisible.test(characters[i])) {
        return { code: "text.invisible", message: this.say("text.invisible", { code: codePoint(characters[i]) }) };
      }
    }
    var markup = this.markup.exec(text);
    if (markup) {
      var tag = text.slice(markup.index, markup.index + 20).split(">")[0];
      return { code: "text.markup", message: this.say("text.markup", { tag: tag }) };
    }
    return null;
  };

  Rules.prototype.normaliseCode = function (raw) {
    var text = (raw.normalize ? raw.normalize("NFKC") : raw).toUpperCase();
    return text.replace(/[\s\-\u2010\u2011\u2013\u2014]/g, "");
  };

  /* 统一社会信用代码: GB 32100 and the inner GB 11714 organisation code, as register/uscc.py. */
  Rules.prototype.uscc = function (raw) {
    var code = this.normaliseCode(raw);
    if (!code) {
      return { code: "field.empty", message: this.say("field.empty") };
    }
    var alphabet = this.table.alphabet;
    if (Array.from(code).length !== 18) {
      return { code: "uscc.length", message: this.say("uscc.length", { length: Array.from(code).length }) };
    }
    for (var i = 0; i < 18; i += 1) {
      if (alphabet.indexOf(code[i]) === -1) {
        var unused = "IOSVZ".indexOf(code[i]) !== -1 ? this.say("uscc.unused_letter") : "";
        return {
          code: "uscc.character",
          message: this.say("uscc.character", { position: i + 1, character: code[i], unused: unused }),
        };
      }
    }
    if (!/^\d{8}/.test(code)) {
      return { code: "uscc.format", message: this.say("uscc.format") };
    }
    var weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    var total = 0;
    for (var j = 0; j < 17; j += 1) {
      total += alphabet.indexOf(code[j]) * weights[j];
    }
    if (alphabet[(31 - (total % 31)) % 31] !== code[17]) {
      return { code: "uscc.checksum", message: this.say("uscc.checksum") };
    }
    var orgAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    var orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];
    var sum = 0;
    for (var k = 0; k < 8; k += 1) {
      sum += orgAlphabet.indexOf(code[8 + k]) * orgWeights[k];
    }
    var check = 11 - (sum % 11);
    var expected = check === 10 ? "X" : check === 11 ? "0" : String(check);
    if (code[16] !== expected) {
      return { code: "uscc.org_checksum", message: this.say("uscc.org_checksum") };
    }
    return null;
  };

  /* Every problem of an application, each with its field, code and message. */
  Rules.prototype.check = function (record) {
    var problems = [];
    var rules = this;
    function add(field, found) {
      if (found) {
        problems.push({ field: field, code: found.code, message: found.message });
      }
    }
    add("uscc", rules.uscc(record.uscc || ""));
    ["name", "address", "industry", "main_products", "legal_representative", "epidemic_lead.name",
      "epidemic_lead.title", "contact.name"].forEach(function (field) {
      add(field, rules.text(value(record, field) || ""));
    });
    if (!record.sector) {
      add("sector", { code: "field.empty", message: rules.say("field.empty") });
    }
    if (!record.township || rules.table.townships.indexOf(record.township) === -1) {
      add("township", { code: "field.empty", message: rules.say("field.empty") });
    }
    var employees = String(record.employees === undefined ? "" : record.employees).trim();
    if (!employees) {
      add("employees", { code: "field.empty", message: rules.say("field.empty") });
    } else if (!/^[0-9]+$/.test(employees)) {
      add("employees", { code: "count.invalid", message: rules.say("count.invalid", { text: employees }) });
    }
    var phone = ((record.contact || {}).phone || "").trim();
    var phoneText = rules.text(phone);
    if (phoneText) {
      add("contact.phone", phoneText);
    } else if (!rules.phone.test(phone)) {
      add("contact.phone", { code: "phone.format", message: rules.say("phone.format", { text: phone }) });
    }
    var qualifications = record.qualifications || [];
    if (!qualifications.length) {
      add("qualifications", { code: "field.empty", message: rules.say("field.empty") });
    }
    qualifications.forEach(function (name) {
      var fits = rules.table.qualifications[name] || [];
      if (record.sector && fits.indexOf(record.sector) === -1) {
        add("qualifications", {
          code: "qualification.sector",
          message: rules.say("qualification.sector", { qualification: name, fits: fits.join("、"), sector: record.sector }),
        });
      }
    });
    if (qualifications.indexOf(rules.table.liaison) !== -1) {
      add("liaison", rules.text(record.liaison || ""));
    } else if (record.liaison) {
      add("liaison", rules.text(record.liaison));
    }
    Object.keys(rules.table.declarations).forEach(function (key) {
      if (!(record.declarations || {})[key]) {
        add("declarations." + key, {
          code: "apply.declaration",
          message: rules.say("apply.declaration", { condition: rules.table.declarations[key] }),
        });
      }
    });
    Object.keys(rules.table.exclusions).forEach(function (key) {
      if ((record.exclusions || {})[key]) {
        add("exclusions." + key, {
          code: "apply.exclusion",
          message: rules.say("apply.exclusion", { condition: rules.table.exclusions[key] }),
        });
      }
    });
    return problems;
  };

  function value(record, field) {
    return field.split(".").reduce(function (node, key) {
      return node && node[key];
    }, record);
  }

  /* --- the application form --------------------------------------------------------------------- */

  function ApplicationForm(form, rules) {
    this.form = form;
    this.rules = rules;
    this.summary = document.getElementById("wl-form-summary");
    this.print = document.getElementById("wl-print");
  }

  /* The form as the register's record: the application file holds exactly this. */
  ApplicationForm.prototype.record = function () {
    var form = this.form;
    var record = { epidemic_lead: {}, contact: {}, declarations: {}, exclusions: {}, qualifications: [] };
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name) {
        return;
      }
      if (element.type === "checkbox") {
        if (element.name === "qualifications") {
          if (element.checked) {
            record.qualifications.push(element.value);
          }
          return;
        }
        var parts = element.name.split(".");
        record[parts[0]][parts[1]] = element.checked;
        return;
      }
      if (element.type === "radio") {
        if (element.checked) {
          record[element.name] = element.value;
        }
        return;
      }
      var path = element.name.split(".");
      if (path.length === 2) {
        record[path[0]][path[1]] = element.value;
      } else {
        record[element.name] = element.value;
      }
    });
    if (!record.sector) {
      record.sector = "";
    }
    return record;
  };

  ApplicationForm.prototype.fill = function (record) {
    Array.prototype.forEach.call(this.form.elements, function (element) {
      if (!element.name) {
        return;
      }
      if (element.type === "checkbox") {
        element.checked =
          element.name === "qualifications"
            ? (record.qualifications || []).indexOf(element.value) !== -1
            : Boolean(value(record, element.name));
      } else if (element.type === "radio") {
        element.checked = record[element.name] === element.value;
      } else {
        var found = value(record, element.name);
        element.value = found === undefined || found === null ? "" : String(found);
      }
    });
  };

  /* Show each problem beside its field and, after an action, in the summary at the top; true when
   * there is none. While the enterprise types, only the notes beside the fields change: a summary
   * growing and shrinking above them would move what is being typed into. */
  ApplicationForm.prototype.show = function (problems, focus, summarise) {
    var form = this.form;
    Array.prototype.forEach.call(form.querySelectorAll(".wl-field"), function (box) {
      box.classList.remove("wl-field--error");
      var note = box.querySelector(".wl-field__note");
      if (note && note.dataset.hint === undefined) {
        note.dataset.hint = note.textContent;
      }
      if (note) {
        note.textContent = note.dataset.hint;
      }
    });
    var byField = {};
    problems.forEach(function (problem) {
      (byField[problem.field] = byField[problem.field] || []).push(problem.message);
    });
    var first = null;
    Object.keys(byField).forEach(function (field) {
      var box = form.querySelector('.wl-field[data-field="' + field + '"]');
      if (!box) {
        return;
      }
      box.classList.add("wl-field--error");
      box.querySelector(".wl-field__note").textContent = byField[field].join("；");
      first = first || box;
    });
    if (!summarise) {
      this.summary.hidden = true;
      return !problems.length;
    }
    this.summary.textContent = "";
    var order = Array.prototype.map.call(form.querySelectorAll(".wl-field"), function (box) {
      return box.dataset.field;
    });
    problems = problems.slice().sort(function (a, b) {
      return order.indexOf(a.field) - order.indexOf(b.field);
    });
    if (problems.length) {
      var heading = document.createElement("p");
      heading.textContent = "还有 " + problems.length + " 处需要改正：";
      var list = document.createElement("ul");
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        var box = form.querySelector('.wl-field[data-field="' + problem.field + '"]');
        item.textContent = (box ? box.dataset.label + "：" : "") + problem.message;
        list.appendChild(item);
      });
      this.summary.appendChild(heading);
      this.summary.appendChild(list);
    }
    this.summary.hidden = !problems.length;
    if (focus && first) {
      var input = first.querySelector("input, select");
      if (input) {
        input.focus();
      }
    }
    return !problems.length;
  };

  ApplicationForm.prototype.valid = function (focus) {
    return this.show(this.rules.check(this.record()), focus, focus);
  };

  /* The application file: the register's fields under their own names, and a format version. */
  ApplicationForm.prototype.file = function () {
    var record = this.record();
    var rules = this.rules;
    var result = { format: rules.table.format, saved: new Date().toISOString().slice(0, 10) };
    ["uscc", "name", "sector", "qualifications", "township", "address", "industry", "legal_representative",
      "employees", "main_products", "epidemic_lead", "contact", "liaison", "declarations", "exclusions"].forEach(
      function (field) {
        result[field] = record[field];
      }
    );
    result.uscc = rules.normaliseCode(record.uscc);
    result.employees = parseInt(String(record.employees).trim(), 10);
    if (!record.liaison || !record.liaison.trim()) {
      delete result.liaison;
    }
    ["name", "address", "industry", "legal_representative", "main_products", "liaison"].forEach(function (field) {
      if (typeof result[field] === "string") {
        result[field] = result[field].trim();
      }
    });
    return result;
  };

  ApplicationForm.prototype.fileName = function () {
    return "白名单申请-" + this.rules.normaliseCode(this.record().uscc) + ".json";
  };

  ApplicationForm.prototype.save = function () {
    if (!this.valid(true)) {
      return;
    }
    var text = JSON.stringify(this.file(), null, 1) + "\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = this.fileName();
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 1000);
  };

  /* Put the values into the A4 sheets; true when they may be printed. */
  ApplicationForm.prototype.preparePrint = function () {
    if (!this.valid(true)) {
      document.documentElement.classList.remove("wl-printing");
      return false;
    }
    var record = this.file();
    var sheets = this.print;
    Array.prototype.forEach.call(sheets.querySelectorAll("[data-slot]"), function (slot) {
      var found = slot.dataset.slot === "file" ? null : value(record, slot.dataset.slot);
      slot.textContent = found === undefined || found === null ? "" : String(found);
    });
    sheets.querySelector('[data-slot="file"]').textContent = this.fileName();
    Array.prototype.forEach.call(sheets.querySelectorAll("[data-cells]"), function (cells) {
      var code = String(value(record, cells.dataset.cells) || "");
      Array.prototype.forEach.call(cells.children, function (cell, index) {
        cell.textContent = code[index] || "";
      });
    });
    Array.prototype.forEach.call(sheets.querySelectorAll("[data-check]"), function (box) {
      var found = value(record, box.dataset.check);
      var on = Array.isArray(found) ? found.indexOf(box.dataset.value) !== -1 : String(found) === box.dataset.value;
      box.textContent = on ? "√" : "";
    });
    document.documentElement.classList.add("wl-printing");
    return true;
  };

  ApplicationForm.prototype.keepDraft = function () {
    try {
      window.localStorage.setItem(DRAFT_KEY, JSON.stringify(this.record()));
    } catch (error) {
      // Private windows and some file:// setups have no storage: the form still works.
    }
  };

  ApplicationForm.prototype.restoreDraft = function () {
    try {
      var saved = window.localStorage.getItem(DRAFT_KEY);
      if (saved) {
        this.fill(JSON.parse(saved));
        return true;
      }
    } catch (error) {
      return false;
    }
    return false;
  };

  ApplicationForm.prototype.start = function () {
    var self = this;
    var form = this.form;
    var liaison = form.querySelector('.wl-field[data-field="liaison"]');
    function showLiaison() {
      var chosen = self.record().qualifications.indexOf(self.rules.table.liaison) !== -1;
      liaison.hidden = !chosen && !form.elements.liaison.value;
    }
    if (this.restoreDraft()) {
      document.getElementById("wl-draft-note").textContent = "已恢复上次在本浏览器中填写的内容。";
    }
    showLiaison();
    form.addEventListener("input", function () {
      self.keepDraft();
      showLiaison();
    });
    form.addEventListener("change", function () {
      self.keepDraft();
      showLiaison();
      if (self.shown) {
        self.valid(false);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.valid(true);
    });
    form.addEventListener("click", function (event) {
      var action = event.target.closest && event.target.closest("[data-action]");
      if (!action) {
        return;
      }
      var kind = action.dataset.action;
      self.shown = true;
      if (kind === "check" && self.valid(true)) {
        self.summary.hidden = false;
        self.summary.textContent = "检查通过：可以打印和保存。";
      } else if (kind === "save") {
        self.save();
      } else if (kind === "print" && self.preparePrint()) {
        window.print();
      } else if (kind === "clear" && window.confirm("清空本页填写的全部内容？")) {
        form.reset();
        try {
          window.localStorage.removeItem(DRAFT_KEY);
        } catch (error) {
          // nothing stored
        }
        self.shown = false;
        self.show([], false, false);
        showLiaison();
      }
    });
    // The browser's own print command prints the filled forms too, when they are complete.
    window.addEventListener("beforeprint", function () {
      if (!document.documentElement.classList.contains("wl-printing")) {
        self.preparePrint();
      }
    });
    window.addEventListener("afterprint", function () {
      document.documentElement.classList.remove("wl-printing");
    });
  };

  /* --- "can I apply?" ------------------------------------------------------------------------------ */

  function SelfCheck(form) {
    this.form = form;
    this.verdict = document.getElementById("wl-verdict");
  }

  SelfCheck.prototype.evaluate = function () {
    var form = this.form;
    var sector = (form.querySelector('input[name="sector"]:checked') || {}).value;
    var reasons = [];
    var unanswered = 0;
    // Each kind of question: the answer that rules an enterprise out, and how the reason reads.
    [
      { kind: "baseline", failing: "no", reason: "不满足基本条件" },
      { kind: "exclusion", failing: "yes", reason: "有不得纳入的情形" }
    ].forEach(function (question) {
      var boxes = form.querySelectorAll('.wl-question[data-kind="' + question.kind + '"]');
      Array.prototype.forEach.call(boxes, function (box) {
        var answer = (box.querySelector("input:checked") || {}).value;
        if (!answer) {
          unanswered += 1;
        } else if (answer === question.failing) {
          var text = box.querySelector(".wl-question__text").textContent.trim();
          reasons.push(question.reason + "“" + text + "”");
        }
      });
    });
    var chosen = Array.prototype.filter.call(form.querySelectorAll('input[name="qualification"]'), function (box) {
      return box.checked;
    });
    var fitting = chosen.filter(function (box) {
      return !sector || box.dataset.sectors.split("|").indexOf(sector) !== -1;
    });
    chosen.forEach(function (box) {
      if (fitting.indexOf(box) === -1) {
        reasons.push("“" + box.value + "”只适用于" + box.dataset.sectors.split("|").join("、") + "类企业");
      }
    });
    if (!sector) {
      unanswered += 1;
    }
    if (!fitting.length && (sector || chosen.length)) {
      reasons.push("不符合任何一项适用于本企业类别的入库条件");
    }
    return { reasons: reasons, unanswered: unanswered, fitting: fitting.length };
  };

  SelfCheck.prototype.render = function () {
    var result = this.evaluate();
    var verdict = this.verdict;
    verdict.textContent = "";
    verdict.className = "wl-verdict";
    var heading = document.createElement("p");
    heading.className = "wl-verdict__title";
    if (result.reasons.length) {
      verdict.classList.add("wl-verdict--no");
      heading.textContent = "暂不能申请";
    } else if (result.unanswered) {
      verdict.classList.add("wl-verdict--pending");
      heading.textContent = "还有 " + result.unanswered + " 个问题没有回答";
    } else {
      verdict.classList.add("wl-verdict--yes");
      heading.textContent = "可以申请";
    }
    verdict.appendChild(heading);
    if (result.reasons.length) {
      var list = document.createElement("ul");
      result.reasons.forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason + "。";
        list.appendChild(item);
      });
      verdict.appendChild(list);
    } else if (!result.unanswered) {
      var next = document.createElement("p");
      next.textContent = "基本条件全部满足，符合 " + result.fitting + " 项入库条件，没有不得纳入的情形。下一步：";
      next.appendChild(link(verdict.dataset.form, "在线填写申请表"));
      next.appendChild(document.createTextNode("，并准备"));
      next.appendChild(link(verdict.dataset.materials, "申请材料"));
      next.appendChild(document.createTextNode("。"));
      verdict.appendChild(next);
    }
    verdict.hidden = false;
  };

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  SelfCheck.prototype.start = function () {
    var self = this;
    this.form.addEventListener("change", function () {
      self.render();
    });
  };

  /* --- start ------------------------------------------------------------------------------------------- */

  function init() {
    var form = document.getElementById("wl-application");
    var table = document.getElementById("wl-rules");
    if (form && table && !form.dataset.ready) {
      form.dataset.ready = "1";
      var rules = new Rules(JSON.parse(table.textContent));
      window.wlsiteApplication = { rules: rules, form: new ApplicationForm(form, rules) };
      window.wlsiteApplication.form.start();
    }
    var selfCheck = document.getElementById("wl-selfcheck");
    if (selfCheck && !selfCheck.dataset.ready) {
      selfCheck.dataset.ready = "1";
      new SelfCheck(selfCheck).start();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
