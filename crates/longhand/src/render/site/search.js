// Search for a site written by `longhand render`: the search box in every page's header.
// The index (search-index.js, beside this file) is loaded with a <script> element the first
// time the box is used, so it works from file:// and sends no request anywhere. Results are
// built with DOM calls and textContent only: no indexed text becomes markup.
// A query is words (each must start a word of the text, case-insensitively), "quoted
// phrases", and filters author: tag: status: in: before: after:, as `longhand search` reads
// them. `?q=…` in the page's address runs a search when the page opens.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script ? script.src.replace(/search\.js(\?.*)?$/, "") : "";
  var box = document.getElementById("lh-search");
  var input = document.getElementById("lh-search-input");
  var output = document.getElementById("lh-results");
  if (!box || !input || !output) return;
  box.hidden = false;
  var state = "idle";
  var pending = null;
  var LIMIT = 50;
  var wordChar = /[\p{L}\p{N}]/u;

  function load(then) {
    if (state === "loaded") return then();
    pending = then;
    if (state === "loading") return;
    state = "loading";
    var tag = document.createElement("script");
    tag.src = root + "search-index.js";
    tag.onload = function () {
      state = "loaded";
      if (pending) pending();
    };
    tag.onerror = function () {
      state = "idle";
      show([{ error: "The search index (search-index.js) could not be loaded." }]);
    };
    document.head.appendChild(tag);
  }

  function normalize(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  function parse(text) {
    var query = { words: [], phrases: [], authors: [], tags: [], statuses: [], kinds: [] };
    var re = /([a-z]+):"([^"]*)"?|"([^"]*)"?|(\S+)/g;
    var m;
    while ((m = re.exec(text))) {
      var field = m[1];
      var value = m[2];
      if (m[3] !== undefined) {
        var p = normalize(m[3]);
        if (p) (p.indexOf(" ") >= 0 ? query.phrases : query.words).push(p);
        continue;
      }
      if (m[4] !== undefined) {
        var f = /^([a-z]+):(.*)$/.exec(m[4]);
        if (!f || f[2].slice(0, 2) === "//") {
          query.words.push(m[4].toLowerCase());
          continue;
        }
        field = f[1];
        value = f[2];
      }
      value = value.trim();
      if (!value) return { error: "`" + field + ":` needs a value" };
      switch (field) {
        case "author": query.authors.push(value.toLowerCase()); break;
        case "tag": query.tags.push(value.toLowerCase()); break;
        case "status": query.statuses.push(value.toLowerCase()); break;
        case "in": query.kinds.push(value.toLowerCase().replace(/ies$/, "y").replace(/s$/, "")); break;
        case "before":
        case "after":
          var when = instant(value);
          if (when === null) return { error: "`" + value + "` in `" + field + ":` is not a date" };
          query[field] = when;
          break;
        default:
          return { error: "`" + field + ":` is not a search filter (author, tag, status, in, before, after)" };
      }
    }
    return query;
  }

  // A day is its midnight in the reader's time zone; a timestamp is itself.
  function instant(value) {
    var day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (day) return new Date(+day[1], +day[2] - 1, +day[3]).getTime();
    var t = Date.parse(value);
    return isNaN(t) ? null : t;
  }

  // Where `needle` starts a word of `folded` (from `from`), or -1.
  function wordAt(folded, needle, from) {
    var at = folded.indexOf(needle, from || 0);
    while (at >= 0) {
      if (at === 0 || !wordChar.test(folded.charAt(at - 1))) return at;
      at = folded.indexOf(needle, at + 1);
    }
    return -1;
  }

  function matches(entry, query) {
    if (query.kinds.length && query.kinds.indexOf(entry.k) < 0) return false;
    if (query.before !== undefined && !(entry.i < query.before)) return false;
    if (query.after !== undefined && !(entry.i >= query.after)) return false;
    for (var t = 0; t < query.tags.length; t++) if (entry.g.indexOf(query.tags[t]) < 0) return false;
    if (query.statuses.length && query.statuses.indexOf(entry.s) < 0) return false;
    if (query.authors.length && !query.authors.some(function (a) {
      return a === entry.p || a === entry.e || entry.a.toLowerCase().indexOf(a) >= 0 || entry.e.indexOf(a) >= 0;
    })) return false;
    var folded = entry.f || (entry.f = entry.x.toLowerCase());
    for (var w = 0; w < query.words.length; w++) if (wordAt(folded, query.words[w]) < 0) return false;
    if (query.phrases.length) {
      var joined = entry.n || (entry.n = normalize(entry.x));
      for (var p = 0; p < query.phrases.length; p++) if (joined.indexOf(query.phrases[p]) < 0) return false;
    }
    return true;
  }

  // The first line holding a word or phrase, with the ranges to mark.
  function excerpt(entry, query) {
    var lines = entry.x.split("\n");
    var needles = query.words.concat(query.phrases, query.phrases.map(function (p) { return p.split(" ")[0]; }));
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      var lower = line.toLowerCase();
      if (lower.length !== line.length) lower = line.replace(/[^]/g, function (c) { var l = c.toLowerCase(); return l.length === 1 ? l : c; });
      var spans = [];
      needles.forEach(function (n) {
        var at = wordAt(lower, n);
        while (at >= 0) {
          spans.push([at, at + n.length]);
          at = wordAt(lower, n, at + n.length);
        }
      });
      if (spans.length || (!needles.length && line)) {
        spans.sort(function (a, b) { return a[0] - b[0]; });
        if (line.length > 200) {
          var start = Math.max(0, (spans.length ? spans[0][0] : 0) - 50);
          line = (start > 0 ? "…" : "") + line.slice(start, start + 200) + (start + 200 < lines[i].trim().length ? "…" : "");
          var shift = (start > 0 ? 1 : 0) - start;
          spans = spans.map(function (s) { return [s[0] + shift, s[1] + shift]; }).filter(function (s) { return s[0] >= 0 && s[1] <= line.length; });
        }
        return { line: line, spans: spans };
      }
    }
    return { line: lines[0] || "", spans: [] };
  }

  function show(items, total, text) {
    while (output.firstChild) output.removeChild(output.firstChild);
    output.hidden = false;
    var head = document.createElement("p");
    head.className = "lh-count";
    if (items.length && items[0].error) {
      head.textContent = items[0].error;
      output.appendChild(head);
      return;
    }
    head.textContent = total === 0 ? "No results for " + text :
      total + (total === 1 ? " result" : " results") + " for " + text +
      (total > items.length ? " (the newest " + items.length + " shown)" : "");
    output.appendChild(head);
    var list = document.createElement("ol");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + item.entry.h;
      a.textContent = item.entry.t;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "lh-meta";
      meta.textContent = " " + item.entry.k + " · " + (item.entry.a || "no author") + " · " +
        item.entry.d.slice(0, 16).replace("T", " ");
      li.appendChild(meta);
      var quote = document.createElement("p");
      var at = 0;
      item.excerpt.spans.forEach(function (s) {
        if (s[0] < at) return;
        quote.appendChild(document.createTextNode(item.excerpt.line.slice(at, s[0])));
        var mark = document.createElement("mark");
        mark.textContent = item.excerpt.line.slice(s[0], s[1]);
        quote.appendChild(mark);
        at = s[1];
      });
      quote.appendChild(document.createTextNode(item.excerpt.line.slice(at)));
      li.appendChild(quote);
      list.appendChild(li);
    });
    output.appendChild(list);
  }

  function run() {
    var text = input.value.trim();
    if (!text) {
      output.hidden = true;
      return;
    }
    load(function () {
      var query = parse(text);
      if (query.error) return show([{ error: query.error }]);
      var index = window.longhandSearchIndex || [];
      var items = [];
      var total = 0;
      for (var i = 0; i < index.length; i++) {
        if (!matches(index[i], query)) continue;
        total++;
        if (items.length < LIMIT) items.push({ entry: index[i], excerpt: excerpt(index[i], query) });
      }
      show(items, total, text);
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      clearTimeout(timer);
      run();
    }
  });
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    input.value = asked;
    run();
  }
})();
